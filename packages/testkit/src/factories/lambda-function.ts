import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  type LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EmulatorClients } from '../clients.js';
import { createRole } from './iam.js';

/** Options of {@link createLambdaFunction}. */
export interface CreateLambdaFunctionOptions {
  readonly clients: Pick<EmulatorClients, 'iam' | 's3' | 'sqs'> & { readonly lambda: LambdaClient };
  readonly region: string;
  readonly functionName: string;
  /** Reserved concurrency to set; none when absent. */
  readonly reservedConcurrency?: number;
  /** One SQS-fed event-source mapping per entry, enabled or not. */
  readonly mappings?: readonly { readonly enabled: boolean }[];
  /** Adds a resource-policy statement letting S3 invoke the function. */
  readonly resourcePolicy?: boolean;
  /** Publishes version 1 of the function (findings name a version). */
  readonly publishVersion?: boolean;
  readonly tags?: Record<string, string>;
}

/** A function made by {@link createLambdaFunction}. */
export interface CreatedLambdaFunction {
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleName: string;
  readonly roleArn: string;
  /** The deployment package's bytes and their SHA-256 (hex), to compare with what evidence stored. */
  readonly code: Uint8Array;
  readonly codeSha256: string;
  /** Event-source mapping UUIDs, in the order of `mappings`. */
  readonly mappingIds: readonly string[];
  readonly version?: string;
}

/**
 * A minimal zip archive holding one stored (uncompressed) file, built here so the package's bytes are
 * random per test and the test knows their hash.
 */
function zipOf(name: string, content: Buffer): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of content) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  const fileName = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localSize = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

/**
 * A Lambda function on the emulator with its execution role, optional reserved concurrency, SQS
 * event-source mappings and resource policy. The package is uploaded to the bucket Lambda's own
 * presigned `Code.Location` names (`awslambda-<region>-tasks`), and the function created from there,
 * so that location serves the package on the emulator as it does in AWS.
 */
export async function createLambdaFunction(
  options: CreateLambdaFunctionOptions,
): Promise<CreatedLambdaFunction> {
  const { clients, region, functionName } = options;
  const role = await createRole({
    iam: clients.iam,
    roleName: `${functionName}-exec`,
    trustedService: 'lambda.amazonaws.com',
  });
  const code = zipOf(
    'index.js',
    Buffer.from(
      `exports.handler = async () => ${JSON.stringify(
        createHash('sha256')
          .update(functionName + Date.now())
          .digest('hex'),
      )};\n`,
    ),
  );
  const bucket = `awslambda-${region}-tasks`;
  const key = `snapshots/${functionName}-${Date.now()}`;
  await ensureBucket(clients.s3, bucket, region);
  // Emulator gap: moto's Code.Location carries no presigned signature, and moto refuses unsigned reads
  // of a private object; public-read stands in for the grant the signature gives in AWS.
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: code, ACL: 'public-read' }));
  const created = await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs20.x',
      Role: role.arn,
      Handler: 'index.handler',
      Code: { S3Bucket: bucket, S3Key: key },
      Tags: options.tags,
    }),
  );
  const functionArn = created.FunctionArn as string;
  const version = options.publishVersion
    ? (await clients.lambda.send(new PublishVersionCommand({ FunctionName: functionName }))).Version
    : undefined;
  if (options.reservedConcurrency !== undefined) {
    await clients.lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: functionName,
        ReservedConcurrentExecutions: options.reservedConcurrency,
      }),
    );
  }
  if (options.resourcePolicy) {
    await clients.lambda.send(
      new AddPermissionCommand({
        FunctionName: functionName,
        StatementId: 's3-invoke',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
      }),
    );
  }
  const mappingIds: string[] = [];
  for (const [i, mapping] of (options.mappings ?? []).entries()) {
    const queueArn = await queue(clients.sqs, `${functionName}-source-${i}`);
    const output = await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: functionName,
        EventSourceArn: queueArn,
        Enabled: mapping.enabled,
        BatchSize: 5,
      }),
    );
    mappingIds.push(output.UUID as string);
  }
  return {
    functionName,
    functionArn,
    roleName: role.roleName,
    roleArn: role.arn,
    code,
    codeSha256: createHash('sha256').update(code).digest('hex'),
    mappingIds,
    ...(version ? { version } : {}),
  };
}

async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
  } catch (error: unknown) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

async function queue(sqs: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return attributes.Attributes?.QueueArn as string;
}
