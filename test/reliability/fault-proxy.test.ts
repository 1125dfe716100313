/**
 * The fault-injecting proxy itself: each injected fault must reach the SDK as the error AWS would
 * send in that service's protocol, so the services classify it as they would in production.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isRetryable, isThrottling } from '@ir/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';

/** Every request faulted; the first of each pair throttled, the second a 503 (the proxy draws twice). */
function alternating(): () => number {
  const draws = [0, 0.2, 0, 0.8];
  let index = 0;
  return () => draws[index++ % draws.length] ?? 0;
}

async function errorOf(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('the call succeeded through a proxy that faults every request');
}

describe('startFaultProxy', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
  });

  it.each([
    [
      'sqs (JSON)',
      (config: object) => () => new SQSClient(config).send(new ListQueuesCommand({})),
      'ThrottlingException',
      'ServiceUnavailable',
    ],
    [
      'dynamodb (JSON)',
      (config: object) => () => new DynamoDBClient(config).send(new ListTablesCommand({})),
      'ThrottlingException',
      'ServiceUnavailable',
    ],
    [
      'ec2 (EC2 query)',
      (config: object) => () => new EC2Client(config).send(new DescribeInstancesCommand({})),
      'RequestLimitExceeded',
      'Unavailable',
    ],
    [
      'iam (query)',
      (config: object) => () => new IAMClient(config).send(new ListUsersCommand({})),
      'Throttling',
      'ServiceUnavailable',
    ],
    [
      's3 (REST-XML)',
      (config: object) => () =>
        new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({})),
      'SlowDown',
      'ServiceUnavailable',
    ],
  ])(
    '%s: throttling and 503 reach the SDK as AWS errors the runtime retries',
    async (_name, call, throttled, unavailable) => {
      // Prepare: nothing listens upstream; every request is answered by the proxy itself
      proxy = await startFaultProxy({ upstream: 'http://127.0.0.1:9', faultRate: 1, random: alternating() });
      const config = {
        endpoint: proxy.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 1,
      };

      // Act
      const first = await errorOf(call(config));
      const second = await errorOf(call(config));

      // Assess
      expect((first as Error).name).toBe(throttled);
      expect(isThrottling(first)).toBe(true);
      expect((second as Error).name).toBe(unavailable);
      expect(isRetryable(second)).toBe(true);
      expect(proxy.counts()).toMatchObject({
        injected: 2,
        forwarded: 0,
        byKind: { throttling: 1, unavailable: 1 },
      });
    },
  );
});
