import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ListQueuesCommand, type Message, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually, queueDepth, randomAccountId } from '@ir/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccountNotAllowedError,
  baseClientConfig,
  createAccountPolicy,
  createRuntime,
  createWorker,
  listActiveOrganizationAccounts,
  loadConfig,
  type ParsedMessage,
  type Worker,
  WorkerEnv,
} from '../../src/index.js';
import { queueFixture } from './harness.js';

interface AccountMessage {
  readonly account: string;
  readonly n: number;
}

const parseAccountMessage = (message: Message): ParsedMessage<AccountMessage> => {
  const value = JSON.parse(message.Body ?? '{}') as AccountMessage;
  return { value, type: 'test.account', accountId: value.account };
};

type Fixture = Awaited<ReturnType<typeof queueFixture>>;

/** A worker on the findings queue with a per-account cap of 1 (and a 1 s deferral). */
function cappedWorker(
  fixture: Fixture,
  concurrency: number,
  handle: (message: AccountMessage) => Promise<void>,
): Worker {
  const queue = fixture.system.queues.findings;
  return createWorker<AccountMessage>({
    name: 'findings',
    queueUrl: queue.url,
    dlqUrl: queue.dlqUrl,
    sqs: fixture.sqs,
    logger: fixture.logger,
    metrics: fixture.metrics,
    parse: parseAccountMessage,
    handle: ({ value }) => handle(value),
    concurrency,
    visibilityTimeoutSeconds: 30,
    heartbeatSeconds: 10,
    handlerTimeoutMs: 20_000,
    waitTimeSeconds: 1,
    retryBaseSeconds: 1,
    retryMaxSeconds: 2,
    accountConcurrency: 1,
    accountDeferSeconds: 1,
  });
}

/** How many messages the worker put back for their account's cap. */
async function deferredCount(fixture: Fixture): Promise<number> {
  const values = (await fixture.metrics.messagesTotal.get()).values;
  return values.find((value) => value.labels.outcome === 'deferred')?.value ?? 0;
}

describe('per-account cap in createWorker (on the emulator)', () => {
  const running: Worker[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((worker) => worker.stop(2000)));
  });

  it('handles a message of account B before a storm of account A has drained, without dead-lettering A', async () => {
    // Prepare
    const fixture = await queueFixture();
    const queue = fixture.system.queues.findings;
    const handled: string[] = [];
    const worker = cappedWorker(fixture, 5, async (value) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      handled.push(`${value.account}:${value.n}`);
    });
    running.push(worker);
    const storm = Array.from({ length: 30 }, (_, n) => JSON.stringify({ account: 'A', n }));
    for (let index = 0; index < storm.length; index += 10) {
      await fixture.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: storm.slice(index, index + 10).map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
    }
    await fixture.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [{ Id: 'b', MessageBody: JSON.stringify({ account: 'B', n: 0 }) }],
      }),
    );
    // Act
    worker.start();
    await eventually(() => handled.includes('B:0'), 60_000, 'B handled');
    const handledBeforeB = handled.indexOf('B:0');
    await eventually(() => new Set(handled).size === 31, 120_000, 'the storm handled');
    // Assess
    expect(handledBeforeB).toBeLessThan(15);
    expect(await queueDepth(fixture.clients.sqs, queue.dlqUrl)).toBe(0);
    expect(await deferredCount(fixture)).toBeGreaterThan(0);
  }, 180_000);

  it('lets one account use the free slots when no message waits, and puts none back', async () => {
    // Prepare: a cap of 1, three slots, three messages of one account, nothing else queued.
    const fixture = await queueFixture();
    const queue = fixture.system.queues.findings;
    let active = 0;
    let most = 0;
    const handled: string[] = [];
    const worker = cappedWorker(fixture, 3, async (value) => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      active -= 1;
      handled.push(`${value.account}:${value.n}`);
    });
    running.push(worker);
    await fixture.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [0, 1, 2].map((n) => ({ Id: String(n), MessageBody: JSON.stringify({ account: 'A', n }) })),
      }),
    );
    // Act
    worker.start();
    await eventually(() => handled.length === 3, 60_000, 'all three handled');
    // Assess: over the cap, yet handled together, since nothing waited behind them.
    expect(await deferredCount(fixture)).toBe(0);
    expect(most).toBeGreaterThan(1);
  }, 120_000);
});

describe('account policy in createRuntime (on the emulator)', () => {
  it('hands out clients for allowed member accounts and refuses the others before assuming a role', async () => {
    // Prepare
    const fixture = await queueFixture();
    const allowed = randomAccountId();
    const stranger = randomAccountId();
    const config = loadConfig(WorkerEnv, {
      AWS_ENDPOINT_URL: fixture.endpoint,
      AWS_REGION: fixture.region,
      IR_HOME_ACCOUNT_ID: fixture.account.accountId,
      IR_MEMBER_ROLE_NAME: 'ir-response',
      IR_ALLOWED_ACCOUNTS: allowed,
    });
    const runtime = await createRuntime('test', config, {
      credentials: fixture.account.credentials,
      logger: fixture.logger,
    });
    // Act
    const member = await runtime.aws.client(SQSClient, { accountId: allowed, incidentId: 'inc-1' });
    const listed = await member.send(new ListQueuesCommand({}));
    const refusal = await runtime.aws
      .client(SQSClient, { accountId: stranger, incidentId: 'inc-1' })
      .catch((error: unknown) => error);
    // Assess: the allowed account is a different account (none of our queues there).
    expect(listed.QueueUrls ?? []).toEqual([]);
    expect(refusal).toBeInstanceOf(AccountNotAllowedError);
    expect((refusal as Error).message).toContain(stranger);
  });

  it('lists the active accounts of an AWS Organization and allows them', async () => {
    // Prepare: an organization in a fresh account, with one member account (moto assigns its id).
    const fixture = await queueFixture();
    const organizations = new OrganizationsClient(
      baseClientConfig({
        endpoint: fixture.endpoint,
        region: 'us-east-1',
        credentials: fixture.account.credentials,
      }),
    );
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created = await organizations.send(
      new CreateAccountCommand({ AccountName: 'member-a', Email: `member-a-${Date.now()}@example.com` }),
    );
    const memberId = created.CreateAccountStatus?.AccountId as string;
    const policy = createAccountPolicy({
      homeAccountId: async () => fixture.account.accountId,
      allowed: [],
      source: 'organizations',
      listOrganizationAccounts: () => listActiveOrganizationAccounts(organizations),
    });
    // Act
    const accounts = await listActiveOrganizationAccounts(organizations);
    const member = await policy.check(memberId);
    const stranger = await policy.check(randomAccountId());
    // Assess
    expect(accounts).toContain(memberId);
    expect(member).toEqual({ allowed: true, basis: 'organizations' });
    expect(stranger.allowed).toBe(false);
    organizations.destroy();
  });
});
