/**
 * The fault-injecting proxy itself: each injected fault must reach the SDK as the error AWS would
 * send in that service's protocol, so the services classify it as they would in production.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  AttachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { isRetryable, isThrottling } from '@ir/runtime';
import { emulatorClients, isolatedAccount } from '@ir/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
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

/**
 * The operation-selected modes: each must do to the emulator what it says (apply, or not), which the
 * tests read back from the emulator directly, not through the proxy.
 */
describe('startFaultProxy rules', () => {
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
  });

  async function setUp(maxAttempts: number) {
    const endpoint = inject('awsEndpoint');
    const region = 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    proxy = await startFaultProxy({ upstream: endpoint });
    const config = { endpoint: proxy.url, region, credentials: account.credentials, maxAttempts };
    return {
      proxy,
      direct: emulatorClients({ endpoint, region, credentials: account.credentials }),
      ec2: new EC2Client(config),
      iam: new IAMClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      sqs: new SQSClient(config),
    };
  }

  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
  });

  it('applied-then-500: the emulator applied the call, the SDK got a retryable InternalFailure, and its retry meets what the first call made', async () => {
    // Prepare
    const { proxy, direct, iam } = await setUp(1);
    proxy.setRules([{ operation: 'CreatePolicy', mode: 'applied-then-500' }]);
    const create = new CreatePolicyCommand({ PolicyName: 'lost-1', Path: '/t/', PolicyDocument: document });
    // Act
    const first = await errorOf(() => iam.send(create));
    // Assess: a 500 the SDK (and the runtime) retries…
    expect((first as Error).name).toBe('InternalFailure');
    expect(isRetryable(first)).toBe(true);
    // …for a call the emulator did apply
    const policies = await direct.iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/t/' }));
    expect(policies.Policies?.map((p) => p.PolicyName)).toEqual(['lost-1']);
    // Act: the same request again, as the SDK's retry sends it (the rule took its one call)
    const retried = await errorOf(() => iam.send(create));
    // Assess
    expect((retried as Error).name).toBe('EntityAlreadyExistsException');
    expect(proxy.ruleHits()).toEqual([
      { service: 'iam', operation: 'CreatePolicy', mode: 'applied-then-500', upstreamStatus: 200 },
    ]);
  });

  it('applied-then-500 with SDK retries: the retry is what the caller sees', async () => {
    // Prepare
    const { proxy, ec2 } = await setUp(3);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc?.VpcId;
    proxy.setRules([{ operation: 'CreateSecurityGroup', mode: 'applied-then-500' }]);
    // Act
    const error = await errorOf(() =>
      ec2.send(new CreateSecurityGroupCommand({ GroupName: 'g', Description: 'd', VpcId: vpcId })),
    );
    // Assess
    expect((error as Error).name).toBe('InvalidGroup.Duplicate');
    expect(proxy.ruleHits()).toHaveLength(1);
  });

  it('applied-then-drop: the emulator applied the call and the client lost its connection', async () => {
    // Prepare
    const { proxy, direct, ec2 } = await setUp(1);
    const vpcId = (await direct.ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }))).Vpc?.VpcId;
    proxy.setRules([{ operation: 'CreateSecurityGroup', service: 'ec2', mode: 'applied-then-drop' }]);
    // Act
    const error = await errorOf(() =>
      ec2.send(new CreateSecurityGroupCommand({ GroupName: 'dropped', Description: 'd', VpcId: vpcId })),
    );
    // Assess: a network error (retryable), not an AWS answer…
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    expect(isRetryable(error)).toBe(true);
    // …for a group the emulator created
    const groups = await direct.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['dropped'] }] }),
    );
    expect(groups.SecurityGroups).toHaveLength(1);
    expect(proxy.ruleHits()).toMatchObject([{ operation: 'CreateSecurityGroup', mode: 'applied-then-drop' }]);
  });

  it('false-success in each protocol: the SDK is told it worked, the emulator never saw the call', async () => {
    // Prepare
    const { proxy, direct, ec2, iam, s3, sqs } = await setUp(1);
    const vpcId =
      (await direct.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
    await direct.iam.send(new CreateRoleCommand({ RoleName: 'fs-role', AssumeRolePolicyDocument: document }));
    const policyArn = (
      await direct.iam.send(new CreatePolicyCommand({ PolicyName: 'fs-p', PolicyDocument: document }))
    ).Policy?.Arn;
    await direct.s3.send(new CreateBucketCommand({ Bucket: 'fault-proxy-fs' }));
    const queueUrl = (await direct.sqs.send(new CreateQueueCommand({ QueueName: 'fault-proxy-fs' })))
      .QueueUrl;
    proxy.setRules([
      { operation: 'CreateTags', mode: 'false-success' },
      { operation: 'AttachRolePolicy', mode: 'false-success' },
      { operation: 'PutBucketPolicy', mode: 'false-success' },
      { operation: 'TagQueue', mode: 'false-success' },
    ]);
    // Act: every call succeeds for the caller
    await ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'fs-role', PolicyArn: policyArn }));
    const put = await s3.send(new PutBucketPolicyCommand({ Bucket: 'fault-proxy-fs', Policy: document }));
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { k: 'v' } }));
    // Assess: nothing of it happened
    expect(put.$metadata.httpStatusCode).toBe(204);
    const tags = await direct.ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }] }),
    );
    expect(tags.Tags).toEqual([]);
    const attached = await direct.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'fs-role' }));
    expect(attached.AttachedPolicies).toEqual([]);
    expect(
      (await errorOf(() =>
        direct.s3.send(new GetBucketPolicyCommand({ Bucket: 'fault-proxy-fs' })),
      )) as Error,
    ).toMatchObject({ name: 'NoSuchBucketPolicy' });
    expect((await direct.sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {}).toEqual({});
    expect(proxy.ruleHits().map((hit) => `${hit.service}:${hit.operation}`)).toEqual([
      'ec2:CreateTags',
      'iam:AttachRolePolicy',
      's3:PutBucketPolicy',
      'sqs:TagQueue',
    ]);
    expect(proxy.counts().forwarded).toBe(0);
  });

  it('takes only the calls its rules select, as many times as they say, and keeps the random faults', async () => {
    // Prepare: a rule for two calls, and every other call faulted at random (throttled)
    proxy = await startFaultProxy({
      upstream: 'http://127.0.0.1:9',
      faultRate: 1,
      random: () => 0,
      rules: [{ operation: 'ListQueues', mode: 'false-success', times: 2 }],
    });
    const sqs = new SQSClient({
      endpoint: proxy.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    // Act
    await sqs.send(new ListQueuesCommand({}));
    await sqs.send(new ListQueuesCommand({}));
    const third = await errorOf(() => sqs.send(new ListQueuesCommand({})));
    // Assess
    expect((third as Error).name).toBe('ThrottlingException');
    expect(proxy.ruleHits()).toHaveLength(2);
    expect(proxy.counts()).toMatchObject({ injected: 1, forwarded: 0 });
  });
});
