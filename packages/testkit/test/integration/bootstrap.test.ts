import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap, type EmulatorClients, QUEUE_NAMES, queueNames } from '../../src/index.js';
import { accountFixture } from './fixture.js';

describe('bootstrap', () => {
  const opened: EmulatorClients[] = [];
  afterEach(() => {
    for (const clients of opened.splice(0)) clients.destroy();
  });

  async function freshAccount() {
    const fixture = await accountFixture();
    opened.push(fixture.clients);
    return fixture;
  }

  it('creates every queue with a dead-letter queue and a redrive policy', async () => {
    // Prepare
    const { clients } = await freshAccount();

    // Act
    const result = await bootstrap({ prefix: 'ir', clients, maxReceiveCount: 3 });

    // Assess
    expect(Object.keys(result.queues).sort()).toEqual([...QUEUE_NAMES].sort());
    for (const name of QUEUE_NAMES) {
      const queue = result.queues[name];
      const { Attributes: main = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }),
      );
      const { Attributes: dlq = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: ['All'] }),
      );
      expect(queue.url).toMatch(new RegExp(`/${queueNames('ir')[name]}$`));
      expect(main.QueueArn).toBe(queue.arn);
      expect(main.VisibilityTimeout).toBe('60');
      expect(main.ReceiveMessageWaitTimeSeconds).toBe('20');
      expect(JSON.parse(main.RedrivePolicy ?? '{}')).toMatchObject({ deadLetterTargetArn: queue.dlqArn });
      expect(Number(JSON.parse(main.RedrivePolicy ?? '{}').maxReceiveCount)).toBe(3);
      expect(dlq.QueueArn).toBe(queue.dlqArn);
      expect(dlq.QueueArn).toMatch(new RegExp(`:${queueNames('ir')[name]}-dlq$`));
      expect(dlq.MessageRetentionPeriod).toBe(String(14 * 24 * 3600));
    }
  });

  it('creates the incident table with its keys, GSI, TTL and point-in-time recovery', async () => {
    // Prepare
    const { clients } = await freshAccount();

    // Act
    const result = await bootstrap({ prefix: 'ir', clients });

    // Assess
    const { Table: table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: result.tableName }),
    );
    const { TimeToLiveDescription: ttl } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: result.tableName }),
    );
    const { ContinuousBackupsDescription: backups } = await clients.dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: result.tableName }),
    );
    expect(result.tableName).toBe('ir-incidents');
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      }),
    ]);
    expect(ttl).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    expect(backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
  });

  it('creates the evidence bucket with versioning, Object Lock, encryption and no public access', async () => {
    // Prepare
    const { clients, account } = await freshAccount();

    // Act
    const result = await bootstrap({ prefix: 'ir', clients, lockMode: 'COMPLIANCE', retentionDays: 2 });

    // Assess
    const Bucket = result.bucketName;
    const versioning = await clients.s3.send(new GetBucketVersioningCommand({ Bucket }));
    const lock = await clients.s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    const publicAccess = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    const encryption = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(Bucket).toBe(`ir-evidence-${account.accountId}`);
    expect(versioning.Status).toBe('Enabled');
    expect(lock.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    // moto also reports `Years: 0`, AWS leaves it out.
    expect(lock.ObjectLockConfiguration?.Rule?.DefaultRetention).toMatchObject({
      Mode: 'COMPLIANCE',
      Days: 2,
    });
    expect(publicAccess.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
  });

  it('changes nothing when run a second time', async () => {
    // Prepare
    const { clients } = await freshAccount();
    const first = await bootstrap({ prefix: 'ir', clients });
    const countResources = async () => ({
      queues: (await clients.sqs.send(new ListQueuesCommand({}))).QueueUrls?.length,
      tables: (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames?.length,
      buckets: (await clients.s3.send(new ListBucketsCommand({}))).Buckets?.length,
    });
    const before = await countResources();

    // Act
    const second = await bootstrap({ prefix: 'ir', clients });

    // Assess
    expect(first.created).toHaveLength(16);
    expect(first.created).toContain('kms:alias/ir-evidence-signing');
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.signingKeyArn).toBe(first.signingKeyArn);
    expect(second.queues).toEqual(first.queues);
    expect(second.tableName).toBe(first.tableName);
    expect(second.bucketName).toBe(first.bucketName);
    expect(before).toEqual({ queues: 10, tables: 1, buckets: 1 });
    expect(await countResources()).toEqual(before);
  });

  it('creates the manifest signing key: ECC_NIST_P256, SIGN_VERIFY, behind its alias', async () => {
    // Prepare
    const { clients } = await freshAccount();
    // Act
    const result = await bootstrap({ prefix: 'ir', clients });
    // Assess
    const key = await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/ir-evidence-signing' }));
    expect(key.KeyMetadata).toMatchObject({
      Arn: result.signingKeyArn,
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
    });
  });

  it('ensures the notifications topic when asked, once', async () => {
    // Prepare
    const { clients } = await freshAccount();

    // Act
    const first = await bootstrap({ prefix: 'ir', clients, notificationsTopic: 'ir-notifications' });
    const second = await bootstrap({ prefix: 'ir', clients, notificationsTopic: 'ir-notifications' });

    // Assess
    const topics = (await clients.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    expect(topics.map((topic) => topic.TopicArn)).toEqual([first.topicArn]);
    expect(first.topicArn).toMatch(/:ir-notifications$/);
    expect(first.created).toContain('sns:ir-notifications');
    expect(second.topicArn).toBe(first.topicArn);
    expect(second.created).toEqual([]);
  });

  it('converges a changed redrive policy instead of assuming it', async () => {
    // Prepare
    const { clients } = await freshAccount();
    await bootstrap({ prefix: 'ir', clients, maxReceiveCount: 5 });

    // Act
    const rerun = await bootstrap({ prefix: 'ir', clients, maxReceiveCount: 2 });

    // Assess
    const { Attributes: attributes = {} } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: rerun.queues.isolator.url,
        AttributeNames: ['RedrivePolicy'],
      }),
    );
    expect(rerun.created).toEqual([]);
    expect(rerun.updated).toHaveLength(QUEUE_NAMES.length);
    expect(Number(JSON.parse(attributes.RedrivePolicy ?? '{}').maxReceiveCount)).toBe(2);
  });
});
