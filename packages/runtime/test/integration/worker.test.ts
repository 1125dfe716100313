import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpServer,
  createServiceLifecycle,
  createWorker,
  DlqAttribute,
  RetryableError,
  type ServiceLifecycle,
  type Worker,
} from '../../src/index.js';
import { parseTestMessage, type TestMessage } from '../fixtures/test-parse.js';
import { eventually, queueDepth, receiveMessages } from '@ir/testkit';
import { queueFixture, testTuning as tuning } from './harness.js';

type Fixture = Awaited<ReturnType<typeof queueFixture>>;

function buildWorker(
  fixture: Fixture,
  handle: (message: TestMessage) => Promise<void>,
  overrides: { concurrency?: number; pollers?: number } = {},
): Worker {
  const queue = fixture.system.queues.findings;
  return createWorker<TestMessage>({
    ...tuning,
    ...overrides,
    name: 'findings',
    queueUrl: queue.url,
    dlqUrl: queue.dlqUrl,
    sqs: fixture.sqs,
    logger: fixture.logger,
    metrics: fixture.metrics,
    parse: parseTestMessage,
    handle: (parsed) => handle(parsed.value),
  });
}

async function counter(fixture: Fixture, type: string, outcome: string): Promise<number> {
  const metric = await fixture.metrics.messagesTotal.get();
  return metric.values.find((v) => v.labels.type === type && v.labels.outcome === outcome)?.value ?? 0;
}

/** The value of one sample in Prometheus text format, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('createWorker (on the emulator)', () => {
  const running: Array<{ stop(grace: number): Promise<void> } | ServiceLifecycle> = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((item) => ('ready' in item ? item.stop() : item.stop(1000))));
  });

  it.each([
    { pollers: 2, fastFirst: true },
    { pollers: 1, fastFirst: false },
  ])(
    'with $pollers receive loop(s), a message sent while a slow one runs is handled first: $fastFirst',
    async ({ pollers, fastFirst }) => {
      // Prepare: two slots; a slow message is being handled when a fast one arrives.
      const fixture = await queueFixture();
      const finished: string[] = [];
      let slowStarted = false;
      const worker = buildWorker(
        fixture,
        async (message) => {
          if (message.kind === 'slow') {
            slowStarted = true;
            await new Promise((resolve) => setTimeout(resolve, 6_000));
          }
          finished.push(message.kind);
        },
        { concurrency: 2, pollers },
      );
      running.push(worker);
      const send = (body: string) =>
        fixture.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: fixture.system.queues.findings.url, MessageBody: body }),
        );
      // Act
      worker.start();
      await send('{"kind":"slow","n":1}');
      await eventually(() => slowStarted);
      await send('{"kind":"ok","n":2}');
      await eventually(() => finished.length === 2, 30_000);
      // Assess: one loop polls again only once the slow message is done; a second loop does not wait.
      expect(finished).toEqual(fastFirst ? ['ok', 'slow'] : ['slow', 'ok']);
    },
  );

  it('deletes a message once its handler succeeded', async () => {
    // Prepare
    const fixture = await queueFixture();
    const handled: number[] = [];
    const worker = buildWorker(fixture, async (message) => {
      handled.push(message.n);
    });
    running.push(worker);
    // Act
    worker.start();
    await fixture.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.system.queues.findings.url,
        MessageBody: '{"kind":"ok","n":1}',
      }),
    );
    await eventually(() => handled.length === 1);
    // Assess
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.dlqUrl)).toBe(0);
    expect(await counter(fixture, 'test.ok', 'processed')).toBe(1);
  });

  it('deletes messages finished together in one DeleteMessageBatch, without holding the receive loop', async () => {
    // Prepare: ten messages, received and handled together
    const fixture = await queueFixture();
    const handled: number[] = [];
    const worker = buildWorker(
      fixture,
      async (message) => {
        handled.push(message.n);
      },
      { concurrency: 10 },
    );
    running.push(worker);
    await fixture.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fixture.system.queues.findings.url,
        Entries: Array.from({ length: 10 }, (_, n) => ({
          Id: String(n),
          MessageBody: `{"kind":"ok","n":${n}}`,
        })),
      }),
    );
    // Act
    worker.start();
    await eventually(() => handled.length === 10, 30_000);
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    // Assess: the worker's own calls, counted by the client factory
    const calls = async (operation: string) =>
      (await fixture.metrics.awsCallsTotal.get()).values
        .filter((value) => value.labels.operation === operation)
        .reduce((sum, value) => sum + value.value, 0);
    expect(handled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await calls('DeleteMessage')).toBe(0);
    const batches = await calls('DeleteMessageBatch');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(10);
  });

  it('sends poison messages to the DLQ with the reason and keeps handling good ones', async () => {
    // Prepare
    const fixture = await queueFixture();
    const handled: number[] = [];
    const worker = buildWorker(fixture, async (message) => {
      if (message.kind === 'permanent') {
        throw Object.assign(new Error('instance i-0 is gone'), { name: 'InvalidInstanceID.NotFound' });
      }
      handled.push(message.n);
    });
    running.push(worker);
    const bodies = [
      '{"kind":"ok","n":1}',
      'not json at all',
      '{"kind":"ok","n":2}',
      '{"kind":"nonsense","n":3}',
      '{"kind":"permanent","n":4}',
      '{"kind":"ok","n":5}',
    ];
    // Act
    worker.start();
    await fixture.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fixture.system.queues.findings.url,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    const dead = await receiveMessages(fixture.clients.sqs, fixture.system.queues.findings.dlqUrl, 3);
    await eventually(() => handled.length === 3);
    // Assess
    expect(handled.sort()).toEqual([1, 2, 5]);
    const reasons = Object.fromEntries(
      dead.map((m) => [m.Body, m.MessageAttributes?.[DlqAttribute.reason]?.StringValue]),
    );
    expect(reasons).toEqual({
      'not json at all': 'not-json',
      '{"kind":"nonsense","n":3}': 'schema',
      '{"kind":"permanent","n":4}': 'InvalidInstanceID.NotFound',
    });
    for (const message of dead) {
      expect(message.MessageAttributes?.[DlqAttribute.sourceQueue]?.StringValue).toBe('findings');
      expect(message.MessageAttributes?.[DlqAttribute.detail]?.StringValue).toBeTruthy();
    }
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    expect(worker.polling).toBe(true);
    const dlqCount = await fixture.metrics.dlqTotal.get();
    expect(dlqCount.values.reduce((sum, v) => sum + v.value, 0)).toBe(3);
    expect(fixture.lines.filter((line) => line.msg === 'message_dead_lettered')).toHaveLength(3);
  });

  it('redelivers a message after a retryable failure, and then it succeeds', async () => {
    // Prepare
    const fixture = await queueFixture();
    const attempts: number[] = [];
    const worker = buildWorker(fixture, async (message) => {
      attempts.push(Date.now());
      if (message.kind === 'flaky' && attempts.length === 1)
        throw new RetryableError('dependency throttled us');
    });
    running.push(worker);
    // Act
    worker.start();
    await fixture.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.system.queues.findings.url,
        MessageBody: '{"kind":"flaky","n":1}',
      }),
    );
    await eventually(() => attempts.length === 2, 30_000);
    // Assess
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    expect(await counter(fixture, 'test.flaky', 'retried')).toBe(1);
    expect(await counter(fixture, 'test.flaky', 'processed')).toBe(1);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.dlqUrl)).toBe(0);
    // The back-off for the first failure is the base (1 s): the retry came no sooner.
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('extends visibility for long work so the message is not handled twice', async () => {
    // Prepare: visibility 3 s, heartbeat 1 s, a handler taking 5 s.
    const fixture = await queueFixture();
    let calls = 0;
    const queue = fixture.system.queues.findings;
    const worker = createWorker<TestMessage>({
      ...tuning,
      visibilityTimeoutSeconds: 3,
      heartbeatSeconds: 1,
      name: 'findings',
      queueUrl: queue.url,
      dlqUrl: queue.dlqUrl,
      sqs: fixture.sqs,
      logger: fixture.logger,
      metrics: fixture.metrics,
      parse: parseTestMessage,
      handle: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 5000));
      },
    });
    running.push(worker);
    // Act
    worker.start();
    await fixture.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"kind":"slow","n":1}' }),
    );
    await eventually(
      async () => calls === 1 && (await queueDepth(fixture.clients.sqs, queue.url)) === 0,
      20_000,
    );
    // Assess
    expect(calls).toBe(1);
    expect(await counter(fixture, 'test.slow', 'processed')).toBe(1);
  });

  it('serves /metrics with the counters and flips /readyz when polling stops', async () => {
    // Prepare
    const fixture = await queueFixture();
    const worker = buildWorker(fixture, async () => {});
    const http = createHttpServer({
      registry: fixture.metrics.registry,
      isLive: () => service.state !== 'stopped',
      isReady: () => service.ready,
      logger: fixture.logger,
    });
    const service = createServiceLifecycle({
      name: 'test',
      logger: fixture.logger,
      workers: [worker],
      http,
      host: '127.0.0.1',
      port: 0,
      shutdownGraceMs: 2000,
    });
    running.push(service);
    const { port } = await service.start();
    const base = `http://127.0.0.1:${port}`;
    await fixture.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.system.queues.findings.url,
        MessageBody: '{"kind":"ok","n":1}',
      }),
    );
    await eventually(async () => (await counter(fixture, 'test.ok', 'processed')) === 1);
    // The delete goes a moment later, batched.
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    // Act
    const ready = await fetch(`${base}/readyz`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    await worker.stop(1000);
    const notReady = await fetch(`${base}/readyz`);
    const live = await fetch(`${base}/healthz`);
    // Assess
    expect(ready.status).toBe(200);
    expect(notReady.status).toBe(503);
    expect(live.status).toBe(200);
    expect(
      sample(metrics, 'ir_messages_total', { queue: 'findings', type: 'test.ok', outcome: 'processed' }),
    ).toBe(1);
    expect(sample(metrics, 'ir_message_duration_seconds_count', { queue: 'findings', type: 'test.ok' })).toBe(
      1,
    );
    expect(
      sample(metrics, 'ir_aws_calls_total', {
        service: 'sqs',
        operation: 'DeleteMessageBatch',
        outcome: 'success',
      }),
    ).toBe(1);
    expect(metrics).toMatch(/process_resident_memory_bytes/);
  });
});
