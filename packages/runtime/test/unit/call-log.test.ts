import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { type AwsCallRecord, createAwsCallLog, identifyingFields } from '../../src/aws/call-log.js';
import { createAwsClientFactory } from '../../src/aws/client-factory.js';

const HOME = '111111111111';
const MEMBER = '222222222222';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/**
 * Answers every call right after the recorder (same step, lower priority) with `output`, so no
 * credentials are resolved and no request leaves the process.
 */
function shortCircuit(client: SQSClient, output: Record<string, unknown> = {}) {
  client.middlewareStack.add(() => async () => ({ output: { $metadata: {}, ...output }, response: {} }), {
    step: 'initialize',
    priority: 'low',
    name: 'testShortCircuit',
  });
}

function factory(callLog?: ReturnType<typeof createAwsCallLog>) {
  return createAwsClientFactory({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials,
    serviceName: 'isolator',
    homeAccountId: HOME,
    memberRoleName: 'ir-response',
    callLog,
  });
}

function records(directory: string): AwsCallRecord[] {
  return readdirSync(directory).flatMap((file) =>
    readFileSync(join(directory, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AwsCallRecord),
  );
}

describe('identifyingFields', () => {
  it('keeps resource identifiers and tags, drops bodies, parameters and secrets', () => {
    // Prepare
    const input = {
      RoleArn: 'arn:aws:iam::222222222222:role/ir-response',
      RoleSessionName: 'ir-inc-1',
      ExternalId: 'a-shared-secret',
      DocumentName: 'ir-collect',
      Parameters: { commands: ['cat /etc/shadow'] },
      Body: 'evidence bytes',
      TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'ir:purpose', Value: 'clean-room' }] }],
      TransactItems: [{ Put: { TableName: 'ir-incidents', Item: { pk: { S: 'x' } } } }],
    };

    // Act
    const kept = identifyingFields(input);

    // Assess
    expect(kept).toEqual({
      RoleArn: 'arn:aws:iam::222222222222:role/ir-response',
      DocumentName: 'ir-collect',
      TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'ir:purpose', Value: 'clean-room' }] }],
      TransactItems: [{ Put: { TableName: 'ir-incidents' } }],
    });
  });
});

describe('createAwsClientFactory call log', () => {
  it('adds no recorder middleware when no call log is configured (zero cost when off)', async () => {
    // Prepare
    const aws = factory();

    // Act
    const client = await aws.client(SQSClient);

    // Assess
    expect(client.middlewareStack.identify().join(' ')).not.toContain('irCallRecorder');
  });

  it('writes one line per call with the account, region and whose credentials signed it', async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'ir-call-log-'));
    const aws = factory(createAwsCallLog(directory, 'isolator'));
    const own = await aws.client(SQSClient);
    const member = await aws.client(SQSClient, { accountId: MEMBER, incidentId: 'inc-1' });
    shortCircuit(own);
    shortCircuit(member);

    // Act
    await own.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: 'https://q/ir-coordinator',
        ReceiptHandle: 'rh',
        VisibilityTimeout: 5,
      }),
    );
    await member.send(new DeleteMessageCommand({ QueueUrl: 'https://q/x', ReceiptHandle: 'rh' }));
    await new Promise((resolve) => setTimeout(resolve, 10));

    // Assess
    const lines = records(directory);
    expect(readdirSync(directory)).toEqual([`isolator-${process.pid}.jsonl`]);
    expect(lines).toEqual([
      {
        service: 'isolator',
        client: 'sqs',
        operation: 'ChangeMessageVisibility',
        account: HOME,
        region: 'eu-west-1',
        principal: 'task',
        input: { QueueUrl: 'https://q/ir-coordinator' },
        outcome: 'success',
      },
      {
        service: 'isolator',
        client: 'sqs',
        operation: 'DeleteMessage',
        account: MEMBER,
        region: 'eu-west-1',
        principal: 'member',
        roleArn: `arn:aws:iam::${MEMBER}:role/ir-response`,
        input: { QueueUrl: 'https://q/x' },
        outcome: 'success',
      },
    ]);
  });

  it('records a failed call with its error name, and rethrows it', async () => {
    // Prepare
    const directory = mkdtempSync(join(tmpdir(), 'ir-call-log-'));
    const aws = factory(createAwsCallLog(directory, 'forensics'));
    const client = await aws.client(SQSClient);
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('no'), { name: 'AccessDenied' });
      },
      { step: 'initialize', priority: 'low', name: 'testFail' },
    );

    // Act
    const sent = client.send(new SendMessageCommand({ QueueUrl: 'https://q/y', MessageBody: 'b' }));

    // Assess
    await expect(sent).rejects.toThrow('no');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(records(directory)).toMatchObject([
      { operation: 'SendMessage', outcome: 'error', errorName: 'AccessDenied' },
    ]);
  });

  it('never writes the external id of an AssumeRole call', () => {
    // Act
    const kept = identifyingFields(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 's', ExternalId: 'x' })
        .input,
    );

    // Assess
    expect(kept).toEqual({ RoleArn: 'arn:aws:iam::1:role/r' });
  });
});
