import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { emulatorClients, isolatedAccount } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';
import { createAwsClientFactory, createMetrics } from '../../src/index.js';

describe('createAwsClientFactory (two accounts on the emulator)', () => {
  it('acts in the member account through the member role, and never in ours', async () => {
    // Prepare
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const security = await isolatedAccount({ endpoint, region });
    const member = await isolatedAccount({ endpoint, region });
    const metrics = createMetrics('test');
    const factory = createAwsClientFactory({
      region,
      endpoint,
      credentials: security.credentials,
      serviceName: 'isolator',
      memberRoleName: 'ir-member-response',
      externalId: 'ir-test-external-id',
      callCounter: metrics.awsCallsTotal,
    });
    const queueName = `made-in-member-${Date.now()}`;
    // Act
    const memberSqs = await factory.client(SQSClient, {
      accountId: member.accountId,
      region,
      incidentId: 'inc-42',
    });
    await memberSqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const memberSts = await factory.client(STSClient, { accountId: member.accountId, incidentId: 'inc-42' });
    const identity = await memberSts.send(new GetCallerIdentityCommand({}));
    // Assess: visible in the member account, absent from ours.
    const inMember = await emulatorClients({ endpoint, region, credentials: member.credentials }).sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: queueName }),
    );
    const inSecurity = await emulatorClients({
      endpoint,
      region,
      credentials: security.credentials,
    }).sqs.send(new ListQueuesCommand({ QueueNamePrefix: queueName }));
    expect(inMember.QueueUrls ?? []).toHaveLength(1);
    expect(inSecurity.QueueUrls ?? []).toHaveLength(0);
    expect(identity.Account).toBe(member.accountId);
    expect(identity.Arn).toBe(`arn:aws:sts::${member.accountId}:assumed-role/ir-member-response/ir-inc-42`);
    expect(await factory.homeAccountId()).toBe(security.accountId);
    const calls = await metrics.awsCallsTotal.get();
    const assumed = calls.values.find(
      (v) => v.labels.operation === 'AssumeRole' && v.labels.outcome === 'success',
    );
    expect(assumed?.value).toBe(1);
  });

  it('uses our own credentials for our own account and caches the client', async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const security = await isolatedAccount({ endpoint, region });
    const factory = createAwsClientFactory({
      region,
      endpoint,
      credentials: security.credentials,
      serviceName: 'forensics',
    });
    const own = await factory.client(STSClient, { accountId: security.accountId });
    const again = await factory.client(STSClient);
    expect(own).toBe(again);
    expect((await own.send(new GetCallerIdentityCommand({}))).Account).toBe(security.accountId);
  });

  it('refuses another account when no member role is configured', async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const security = await isolatedAccount({ endpoint, region });
    const factory = createAwsClientFactory({
      region,
      endpoint,
      credentials: security.credentials,
      serviceName: 'isolator',
    });
    const client = await factory.client(SQSClient, { accountId: '999999999999' });
    await expect(client.send(new ListQueuesCommand({}))).rejects.toThrow(/IR_MEMBER_ROLE_NAME is not set/);
  });
});
