import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ObjectLockRetentionMode, S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ensureEvidenceBucket } from './bootstrap/bucket.js';
import type { Changes } from './bootstrap/changes.js';
import type { QueueName } from '@ir/runtime';
import { ensureQueueWithDlq, QUEUE_NAMES, type QueueWithDlq, queueNames } from './bootstrap/queues.js';
import { ensureSigningKey } from './bootstrap/signing-key.js';
import { ensureSsmDocuments } from './bootstrap/ssm-documents.js';
import { ensureIncidentTable } from './bootstrap/table.js';
import { ensureTopic } from './bootstrap/topic.js';
import { ResourceSetupError } from './errors.js';

export interface BootstrapOptions {
  /** `IR_PREFIX`: names every queue, the table and the default bucket. */
  readonly prefix?: string;
  readonly clients: {
    readonly sqs: SQSClient;
    readonly dynamodb: DynamoDBClient;
    readonly s3: S3Client;
    /** Creates the manifest signing key. */
    readonly kms: KMSClient;
    /** Creates the SSM Command documents forensics runs host commands through. */
    readonly ssm: SSMClient;
    readonly sns?: SNSClient;
  };
  /** Also ensure an SNS topic of this name for notifications (local stacks); needs `clients.sns`. */
  readonly notificationsTopic?: string | undefined;
  /** Defaults to `${prefix}-incidents`. */
  readonly tableName?: string | undefined;
  /** Defaults to `${prefix}-evidence-<accountId>` (bucket names are global). */
  readonly bucketName?: string | undefined;
  /** Deliveries before a message moves to the DLQ. */
  readonly maxReceiveCount?: number;
  /** Default Object Lock retention of evidence. GOVERNANCE can be lifted by a privileged principal. */
  readonly lockMode?: ObjectLockRetentionMode;
  readonly retentionDays?: number;
  /** SSE-KMS key for evidence; AES256 when absent. */
  readonly kmsKeyId?: string | undefined;
  /** Alias of the manifest signing key; `alias/${prefix}-evidence-signing` by default. */
  readonly signingKeyAlias?: string | undefined;
}

export interface BootstrapResult {
  readonly queues: Readonly<Record<QueueName, QueueWithDlq>>;
  readonly tableName: string;
  readonly bucketName: string;
  /** ARN of the KMS key forensics signs manifests with (`IR_EVIDENCE_SIGNING_KEY`). */
  readonly signingKeyArn: string;
  /** Names of the owned SSM documents by key (`CollectVolatile` → `<prefix>-CollectVolatile`). */
  readonly ssmDocuments: Readonly<Record<string, string>>;
  /** ARN of the notifications topic, when one was asked for. */
  readonly topicArn?: string;
  /** Resources this run created (`sqs:<name>`, `dynamodb:<name>`, `s3:<name>`, `kms:<alias>`, `ssm:<name>`); empty on a re-run. */
  readonly created: readonly string[];
  /** Settings this run changed on resources (`<service>:<name>(<setting>)`); empty on a re-run. */
  readonly updated: readonly string[];
}

/**
 * Creates, or converges, what the services need in one account: the five queues with their DLQs,
 * the incident table, the evidence bucket, the key evidence manifests are signed with and the SSM documents forensics sends. Safe to run again and concurrently: it reads before it
 * writes and treats "already exists" as success, so `pnpm dev`, tests and deployment smoke tests share it.
 */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const { prefix = 'ir', clients, maxReceiveCount = 5, lockMode = 'GOVERNANCE', retentionDays = 1 } = options;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
    throw new ResourceSetupError(`prefix must be lowercase letters, digits and hyphens: ${prefix}`);
  }
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    throw new ResourceSetupError(`maxReceiveCount must be an integer from 1 to 1000: ${maxReceiveCount}`);
  }
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new ResourceSetupError(`retentionDays must be a positive integer: ${retentionDays}`);
  }
  const changes: Changes = { created: [], updated: [] };
  const names = queueNames(prefix);
  const queueList = await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = await ensureQueueWithDlq(clients.sqs, names[name], { maxReceiveCount }, changes);
      return [name, queue] as const;
    }),
  );
  const queues = Object.fromEntries(queueList) as Record<QueueName, QueueWithDlq>;

  const tableName = options.tableName ?? `${prefix}-incidents`;
  await ensureIncidentTable(clients.dynamodb, tableName, changes);

  const bucketName = options.bucketName ?? `${prefix}-evidence-${accountIdOf(queues.findings.arn)}`;
  await ensureEvidenceBucket(
    clients.s3,
    bucketName,
    { lockMode, retentionDays, kmsKeyId: options.kmsKeyId },
    changes,
  );

  const signingKeyArn = await ensureSigningKey(
    clients.kms,
    options.signingKeyAlias ?? `alias/${prefix}-evidence-signing`,
    changes,
  );

  const ssmDocuments = await ensureSsmDocuments(clients.ssm, prefix, bucketName, changes);

  let topicArn: string | undefined;
  if (options.notificationsTopic) {
    if (!clients.sns) throw new ResourceSetupError('notificationsTopic needs an SNS client in clients.sns');
    topicArn = await ensureTopic(clients.sns, options.notificationsTopic, changes);
  }

  return {
    queues,
    tableName,
    bucketName,
    signingKeyArn,
    ssmDocuments,
    ...(topicArn ? { topicArn } : {}),
    created: changes.created,
    updated: changes.updated,
  };
}

/** The account id in an ARN (`arn:partition:service:region:account:resource`), saving an STS call. */
function accountIdOf(arn: string): string {
  const accountId = arn.split(':')[4];
  if (!accountId) throw new ResourceSetupError(`no account id in ARN ${arn}`);
  return accountId;
}
