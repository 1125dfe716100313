import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorClients } from '../../src/index.js';
import { accountFixture } from './fixture.js';

describe('isolatedAccount', () => {
  const opened: EmulatorClients[] = [];
  afterEach(() => {
    for (const clients of opened.splice(0)) clients.destroy();
  });

  it('acts in a fresh random account of its own', async () => {
    // Prepare
    const { account, clients } = await accountFixture();
    opened.push(clients);

    // Act
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(account.accountId).toMatch(/^\d{12}$/);
    expect(account.accountId).not.toBe('123456789012');
    expect(identity.Account).toBe(account.accountId);
  });

  it('keeps two accounts from seeing each other’s queues', async () => {
    // Prepare
    const first = await accountFixture();
    const second = await accountFixture();
    opened.push(first.clients, second.clients);

    // Act
    await first.clients.sqs.send(new CreateQueueCommand({ QueueName: 'only-in-first' }));
    await second.clients.sqs.send(new CreateQueueCommand({ QueueName: 'only-in-second' }));

    // Assess
    const firstQueues = await first.clients.sqs.send(new ListQueuesCommand({}));
    const secondQueues = await second.clients.sqs.send(new ListQueuesCommand({}));
    expect(first.account.accountId).not.toBe(second.account.accountId);
    expect(firstQueues.QueueUrls).toEqual([
      expect.stringContaining(`${first.account.accountId}/only-in-first`),
    ]);
    expect(secondQueues.QueueUrls).toEqual([
      expect.stringContaining(`${second.account.accountId}/only-in-second`),
    ]);
  });
});
