import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import { buildMessage, type Message } from '@ir/contracts';
import {
  ANSWER_RESERVE_MS,
  type AwsClientFactory,
  createStepMetrics,
  createStepWorker,
  type Publishable,
} from '@ir/runtime';
import { handlerContext } from '@ir/testkit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelName } from '../../src/channels/channel.js';
import { PUBLISH_RESERVE_MS } from '../../src/delivery/budget.js';
import type { RetryTools } from '../../src/delivery/retry.js';
import { DeliveryError } from '../../src/errors.js';
import { createHandlers } from '../../src/handlers/index.js';
import { createNotifierMetrics } from '../../src/metrics.js';
import { createFindingSyncMetrics } from '../../src/finding-sync/metrics.js';
import type { RoutingFile } from '../../src/routing/routes.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const TIMEOUT_SECONDS = 60;
/** Fake time one send takes. */
const SEND_MS = 100;

/** A clock that only moves when a channel sends or the retry loop sleeps, so nothing really waits. */
function fakeClock() {
  let nowMs = T0;
  const tools: RetryTools = {
    now: () => nowMs,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw signal.reason;
      nowMs += ms;
    },
  };
  return { tools, now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

type Clock = ReturnType<typeof fakeClock>;

/** Slack answers 503 (retryable) every time; email delivers. Each records when it was tried. */
function fakeChannels(clock: Clock) {
  const sends: { channel: ChannelName; at: number }[] = [];
  const channels = new Map<ChannelName, Channel>();
  channels.set('slack', {
    name: 'slack',
    async send() {
      sends.push({ channel: 'slack', at: clock.now() });
      clock.advance(SEND_MS);
      throw new DeliveryError('slack', 'slack: HTTP 503', { retryable: true, status: 503 });
    },
  });
  channels.set('email', {
    name: 'email',
    async send() {
      sends.push({ channel: 'email', at: clock.now() });
      clock.advance(SEND_MS);
      return { detail: { accepted: 1 } };
    },
  });
  return { channels, sends };
}

/** The notifier's action table on the runtime's step worker, with a publisher that records answers. */
function notifierSteps(options: { fallbacks: RoutingFile['fallbacks']; handlerTimeoutMs?: number }) {
  const clock = fakeClock();
  const fake = fakeChannels(clock);
  const registry = new Registry();
  const answers: { message: Publishable; at: number }[] = [];
  const aws: AwsClientFactory = {
    client: () => Promise.reject(new Error('the notify action makes no AWS call in a member account')),
    homeAccountId: () => Promise.resolve('999999999999'),
    memberRoleArn: () => 'arn:aws:iam::999999999999:role/unused',
  };
  const steps = createStepWorker({
    service: 'notifier',
    actions: createHandlers({
      channels: fake.channels,
      routing: { routes: [{ channels: ['slack'] }], fallbacks: options.fallbacks },
      policy: { maxAttempts: 10, baseDelayMs: 400, maxDelayMs: 400, attemptTimeoutMs: 10_000 },
      metrics: createNotifierMetrics(registry),
      scrub: (text) => text,
      handlerTimeoutMs: options.handlerTimeoutMs ?? 300_000,
      tools: clock.tools,
      findingSync: {
        securityHub: () => Promise.reject(new Error('notify.incident marks no finding')),
        guardDuty: () => Promise.reject(new Error('notify.incident marks no finding')),
        syncTotal: createFindingSyncMetrics(registry),
      },
    }),
    publisher: {
      async publish(_queue, messages) {
        for (const message of messages) answers.push({ message, at: clock.now() });
      },
    },
    aws,
    metrics: createStepMetrics(registry),
    maxAttempts: 4,
    retryBaseSeconds: 2,
    retryMaxSeconds: 300,
    now: () => new Date(clock.now()),
  });

  /** Delivers a notify command sent `waitedMs` before now, as the queue would hand it over. */
  async function receive(
    waitedMs: number,
    signal = new AbortController().signal,
    timeoutSeconds = TIMEOUT_SECONDS,
  ) {
    const command = buildMessage(
      'notify.incident',
      {
        incidentId: 'inc-1',
        correlationId: 'corr-1',
        causationId: null,
        producer: 'response-coordinator',
        dryRun: false,
        payload: {
          stepId: 'notify-opened',
          action: 'notify.incident',
          playbookId: 'ec2-compromise',
          target: { accountId: '111122223333', region: 'eu-west-1' },
          timeoutSeconds,
          params: { stage: 'opened', severityBand: 'HIGH', summary: 'Crypto mining' },
        },
      },
      { now: () => new Date(clock.now() - waitedMs) },
    );
    const sqsMessage: SqsMessage = { MessageId: 'm-1', Body: JSON.stringify(command) };
    await steps.handle(steps.parse(sqsMessage), handlerContext({ signal, message: sqsMessage }));
    return command;
  }

  async function stepsTotal(outcome: string): Promise<number> {
    const values = (await registry.getSingleMetric('ir_step_executions_total')?.get())?.values ?? [];
    return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  }

  return { receive, answers, sends: fake.sends, stepsTotal };
}

type Outcome = { channel: string; outcome: string; attempts: number; fallbackFor?: string; error?: string };

/** The one answer published, and when (fake time). */
function onlyAnswer(answers: readonly { message: Publishable; at: number }[]): {
  message: Message;
  at: number;
} {
  expect(answers).toHaveLength(1);
  const [answer] = answers;
  if (!answer) throw new Error('no answer was published');
  // The step worker publishes messages built by buildMessage, checked against their schema.
  return { message: answer.message as Message, at: answer.at };
}

describe('notify.incident on the step worker', () => {
  it('delivers a command that waited in the queue within what is left of its budget, the retries stopping at the deadline', async () => {
    // Prepare: sent 55 s ago with a 60 s budget, so 5 s remain; Slack keeps failing, email is its fallback
    const notifier = notifierSteps({ fallbacks: { slack: 'email' } });
    const deadline = T0 + 5_000;
    // Act
    await notifier.receive(55_000);
    // Assess: Slack gave up at the deadline less the reserve (not after its 10 attempts), email delivered
    const { message, at } = onlyAnswer(notifier.answers);
    expect(message.type).toBe('step.succeeded');
    if (message.type !== 'step.succeeded') return;
    const channels = message.payload.result.channels as Outcome[];
    expect(channels).toEqual([
      expect.objectContaining({ channel: 'slack', outcome: 'failed', attempts: 5 }),
      expect.objectContaining({ channel: 'email', outcome: 'delivered', attempts: 1, fallbackFor: 'slack' }),
    ]);
    expect(channels[0]?.error).toContain("would pass the step's time budget");
    expect(message.payload.result.delivered).toEqual(['email']);
    for (const send of notifier.sends) expect(send.at).toBeLessThan(deadline - PUBLISH_RESERVE_MS);
    expect(at).toBeLessThanOrEqual(deadline - ANSWER_RESERVE_MS);
  });

  it('answers NotificationUndelivered before the deadline when nothing delivers in what is left', async () => {
    // Prepare: 5 s left, Slack keeps failing and has no fallback
    const notifier = notifierSteps({ fallbacks: {} });
    const deadline = T0 + 5_000;
    // Act
    await notifier.receive(55_000);
    // Assess
    const { message, at } = onlyAnswer(notifier.answers);
    expect(message.type).toBe('step.failed');
    if (message.type !== 'step.failed') return;
    expect(message.payload.errorName).toBe('NotificationUndelivered');
    expect(message.payload.reason).toContain(
      'No channel delivered the HIGH "opened" notification: slack: slack: HTTP 503',
    );
    expect(notifier.sends.length).toBeLessThan(10);
    expect(at).toBeLessThanOrEqual(deadline - ANSWER_RESERVE_MS);
  });

  it('never lets delivery outlast the handler time-out, even when the step budget is longer', async () => {
    // Prepare: fresh command with a 600 s budget, but the runtime aborts handlers after 5 s
    const notifier = notifierSteps({ fallbacks: {}, handlerTimeoutMs: 5_000 });
    // Act
    await notifier.receive(0, new AbortController().signal, 600);
    // Assess
    const { message, at } = onlyAnswer(notifier.answers);
    expect(message.type).toBe('step.failed');
    expect(notifier.sends.length).toBeGreaterThan(0);
    for (const send of notifier.sends) expect(send.at).toBeLessThan(T0 + 5_000 - PUBLISH_RESERVE_MS);
    expect(at).toBeLessThan(T0 + 5_000);
  });

  it('produces no answer, and sends nothing, for a command whose deadline has passed', async () => {
    // Prepare
    const notifier = notifierSteps({ fallbacks: { slack: 'email' } });
    // Act: sent 61 s ago with a 60 s budget
    await notifier.receive(61_000);
    // Assess
    expect(notifier.answers).toHaveLength(0);
    expect(notifier.sends).toHaveLength(0);
    expect(await notifier.stepsTotal('expired')).toBe(1);
  });

  it('puts the command back (RetryableError, no answer) when a shutdown aborts it before anything delivered', async () => {
    // Prepare: the runtime's signal is already aborted, as when the shutdown grace period runs out
    const notifier = notifierSteps({ fallbacks: {} });
    const shutdown = new AbortController();
    shutdown.abort(new Error('shutdown grace period expired'));
    // Act / Assess
    await expect(notifier.receive(0, shutdown.signal)).rejects.toMatchObject({ name: 'RetryableError' });
    expect(notifier.answers).toHaveLength(0);
    expect(await notifier.stepsTotal('retried')).toBe(1);
  });
});
