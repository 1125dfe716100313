import { buildMessage, type MessageOf } from '@ir/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type AwsClientFactory,
  createAccountPolicy,
  createLogger,
  createStepMetrics,
  createStepWorker,
  deferred,
  failed,
  type HandlerContext,
  type ParsedMessage,
  type Publishable,
  RetryableError,
  skipped,
  type StepActionTable,
  type StepCommand,
  succeeded,
} from '../../src/index.js';

type Type = 'contain.iam-user';
const SENT_AT = Date.parse('2025-01-01T00:00:00.000Z');

function setup(actions: StepActionTable<Type>, options: { elapsedMs?: number; allowed?: string[] } = {}) {
  const published: Publishable[] = [];
  const registry = new Registry();
  const clock = SENT_AT + (options.elapsedMs ?? 0);
  const now = () => new Date(clock);
  const worker = createStepWorker<Type>({
    service: 'isolator',
    actions,
    publisher: { publish: async (_queue, messages) => void published.push(...messages) },
    aws: {} as AwsClientFactory, // no action here calls AWS
    metrics: createStepMetrics(registry),
    maxAttempts: 3,
    retryBaseSeconds: 2,
    retryMaxSeconds: 30,
    now,
    ...(options.allowed
      ? {
          accounts: createAccountPolicy({
            homeAccountId: async () => '999999999999',
            allowed: options.allowed,
            source: 'list',
          }),
        }
      : {}),
  });
  const command = buildMessage(
    'contain.iam-user',
    {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'test',
      dryRun: false,
      payload: {
        stepId: 's-1',
        action: 'contain.iam-user',
        playbookId: 'p',
        target: { accountId: '111122223333', region: 'eu-west-1' },
        timeoutSeconds: 60,
        params: { userName: 'alice' },
      },
    },
    { now: () => new Date(SENT_AT) },
  );
  const message: ParsedMessage<StepCommand<Type>> = { value: command, type: command.type };
  const context = (receiveCount: number, signal = new AbortController().signal): HandlerContext => ({
    signal,
    logger: createLogger({ service: 'test', level: 'silent' }),
    message: {},
    receiveCount,
  });
  const answers = () => published.map((m) => m as MessageOf<'step.succeeded'> | MessageOf<'step.failed'>);
  const metric = async (outcome: string) =>
    (await registry.getSingleMetric('ir_step_executions_total')?.get())?.values.find(
      (v) => v.labels.outcome === outcome,
    )?.value ?? 0;
  return { worker, message, context, answers, metric };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

describe('createStepWorker', () => {
  it('answers step.succeeded with result, pre-state and verification, caused by the command', async () => {
    // Prepare
    const { worker, message, context, answers } = setup({
      'contain.iam-user': async (params) =>
        succeeded({ user: params.userName }, { preState: { a: 1 }, verified: { b: 2 } }),
    });
    // Act
    await worker.handle(message, context(1));
    // Assess
    const [answer] = answers();
    expect(answer?.type).toBe('step.succeeded');
    expect(answer?.causationId).toBe(message.value.id);
    expect(answer?.producer).toBe('isolator');
    expect(answer?.payload).toMatchObject({
      result: { user: 'alice' },
      preState: { a: 1 },
      verified: { b: 2 },
    });
  });

  it('answers a skipped outcome as step.succeeded with result.skipped and the reason', async () => {
    const { worker, message, context, answers, metric } = setup({
      'contain.iam-user': async () => skipped('not managed by SSM', { instanceId: 'i-1' }),
    });
    await worker.handle(message, context(1));
    expect(answers()[0]?.payload).toMatchObject({
      result: { skipped: true, reason: 'not managed by SSM', instanceId: 'i-1' },
    });
    expect(await metric('skipped')).toBe(1);
  });

  it('answers a failed outcome as step.failed with its reason', async () => {
    const { worker, message, context, answers } = setup({
      'contain.iam-user': async () =>
        failed('no channel delivered', { errorName: 'NotificationUndelivered' }),
    });
    await worker.handle(message, context(1));
    expect(answers()[0]?.type).toBe('step.failed');
    expect(answers()[0]?.payload).toMatchObject({
      reason: 'no channel delivered',
      errorName: 'NotificationUndelivered',
    });
  });

  it('throws a transient error back to the queue while attempts remain, then answers step.failed naming it', async () => {
    // Prepare
    const { worker, message, context, answers, metric } = setup({
      'contain.iam-user': async () => {
        throw throttled();
      },
    });
    // Act + Assess: attempts 1 and 2 go back to the queue
    await expect(worker.handle(message, context(1))).rejects.toThrow('Rate exceeded');
    await expect(worker.handle(message, context(2))).rejects.toThrow('Rate exceeded');
    expect(answers()).toHaveLength(0);
    // the last attempt is answered, never silently dead-lettered
    await worker.handle(message, context(3));
    expect(answers()[0]?.type).toBe('step.failed');
    const payload = answers()[0]?.payload as MessageOf<'step.failed'>['payload'];
    expect(payload.reason).toContain('ThrottlingException');
    expect(payload.reason).toContain('gave up after 3 attempts');
    expect(await metric('retried')).toBe(2);
  });

  it('answers a permanent error as step.failed at once, with the permission hint', async () => {
    const { worker, message, context, answers } = setup({
      'contain.iam-user': async () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      },
    });
    await worker.handle(message, context(1));
    const payload = answers()[0]?.payload as MessageOf<'step.failed'>['payload'];
    expect(payload.errorName).toBe('AccessDenied');
    expect(payload.reason).toContain('account 111122223333, region eu-west-1');
    expect(payload.reason).toContain('docs/iam/isolator-policy.json');
  });

  it('answers a transient error as failed when the next attempt would land after the deadline', async () => {
    // 57 s of the 60 s budget are gone: a retry 2 s later would miss the answer reserve.
    const { worker, message, context, answers } = setup(
      {
        'contain.iam-user': async () => {
          throw throttled();
        },
      },
      { elapsedMs: 57_000 },
    );
    await worker.handle(message, context(1));
    expect(answers()[0]?.type).toBe('step.failed');
  });

  it('produces no answer for a command that arrives after its deadline, and does not run it', async () => {
    let ran = false;
    const { worker, message, context, answers, metric } = setup(
      {
        'contain.iam-user': async () => {
          ran = true;
          return succeeded({});
        },
      },
      { elapsedMs: 61_000 },
    );
    await worker.handle(message, context(1));
    expect(ran).toBe(false);
    expect(answers()).toHaveLength(0);
    expect(await metric('expired')).toBe(1);
  });

  it('aborts the action at the deadline and answers before it, naming the budget', async () => {
    // 59.9 s gone; the action waits on the signal, which fires before the 2 s answer reserve runs out.
    const { worker, message, context, answers } = setup(
      {
        'contain.iam-user': (_params, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted by deadline')));
          }),
      },
      { elapsedMs: 57_900 },
    );
    await worker.handle(message, context(1));
    const payload = answers()[0]?.payload as MessageOf<'step.failed'>['payload'];
    expect(payload.errorName).toBe('StepDeadlineExceeded');
    expect(payload.reason).toContain('ran out of its 60 s budget');
  });

  it('lets a shutdown abort go back to the queue instead of answering', async () => {
    const { worker, message, context, answers } = setup({
      'contain.iam-user': (_params, ctx) =>
        new Promise((_resolve, reject) => {
          if (ctx.signal.aborted) reject(new RetryableError('draining'));
          ctx.signal.addEventListener('abort', () => reject(new RetryableError('draining')));
        }),
    });
    const shutdown = new AbortController();
    const handled = worker.handle(message, context(1, shutdown.signal));
    shutdown.abort();
    await expect(handled).rejects.toThrow('draining');
    expect(answers()).toHaveLength(0);
  });

  it('sends a command cut short by shutdown back to the queue even when the action threw a permanent error', async () => {
    const { worker, message, context, answers } = setup({
      'contain.iam-user': (_params, ctx) =>
        new Promise((_resolve, reject) => {
          const refuse = () => reject(Object.assign(new Error('socket closed'), { name: 'AccessDenied' }));
          if (ctx.signal.aborted) refuse();
          ctx.signal.addEventListener('abort', refuse);
        }),
    });
    const shutdown = new AbortController();
    const handled = worker.handle(message, context(1, shutdown.signal));
    shutdown.abort();
    const error = await handled.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RetryableError', retryable: true });
    expect(answers()).toHaveLength(0);
  });

  it('answers a command cut short on its last attempt instead of letting SQS dead-letter it', async () => {
    const { worker, message, context, answers } = setup({
      'contain.iam-user': (_params, ctx) =>
        new Promise((_resolve, reject) => {
          const cut = () => reject(new Error('handler timed out'));
          if (ctx.signal.aborted) cut();
          ctx.signal.addEventListener('abort', cut);
        }),
    });
    const timeout = new AbortController();
    const handled = worker.handle(message, context(3, timeout.signal));
    timeout.abort();
    await handled;
    const payload = answers()[0]?.payload as MessageOf<'step.failed'>['payload'];
    expect(answers()[0]?.type).toBe('step.failed');
    expect(payload.reason).toContain('gave up after 3 attempts');
  });

  it('re-sends the remembered answer of a redelivered command without running the action again', async () => {
    let runs = 0;
    const { worker, message, context, answers, metric } = setup({
      'contain.iam-user': async () => {
        runs += 1;
        return succeeded({ run: runs });
      },
    });
    await worker.handle(message, context(1));
    await worker.handle(message, context(2));
    expect(runs).toBe(1);
    expect(answers()).toHaveLength(2);
    expect(answers()[1]?.id).toBe(answers()[0]?.id);
    expect(await metric('replayed')).toBe(1);
  });

  it('refuses a target account that is not allowed before running the action', async () => {
    let ran = false;
    const { worker, message, context, answers } = setup(
      {
        'contain.iam-user': async () => {
          ran = true;
          return succeeded({});
        },
      },
      { allowed: ['444455556666'] },
    );
    await worker.handle(message, context(1));
    expect(ran).toBe(false);
    expect(answers()[0]?.payload).toMatchObject({ errorName: 'AccountNotAllowedError' });
  });

  it('leaves a deferred command unanswered and marks a dry-run result', async () => {
    const deferredSetup = setup({ 'contain.iam-user': async () => deferred('waiting on AWS') });
    await deferredSetup.worker.handle(deferredSetup.message, deferredSetup.context(1));
    expect(deferredSetup.answers()).toHaveLength(0);
    expect(await deferredSetup.metric('deferred')).toBe(1);

    const dry = setup({ 'contain.iam-user': async () => succeeded({ wouldDo: 'x' }) });
    const dryMessage = { ...dry.message, value: { ...dry.message.value, dryRun: true } };
    await dry.worker.handle(dryMessage, dry.context(1));
    expect(dry.answers()[0]?.payload).toMatchObject({ result: { wouldDo: 'x', dryRun: true } });
    expect(await dry.metric('dry_run')).toBe(1);
  });

  it('parses only the types of its table', () => {
    const { worker } = setup({ 'contain.iam-user': async () => succeeded({}) });
    expect(worker.types).toEqual(['contain.iam-user']);
  });
});
