import {
  createPublisher,
  createQueueService,
  createRuntime,
  createStepMetrics,
  createStepWorker,
  failed,
  loadConfig,
  resolveQueueUrls,
  StepWorkerEnv,
  succeeded,
} from '@ir/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { type ServiceHarness, serviceHarness, succeededPayload } from '../../src/index.js';

/**
 * A step worker on the runtime consuming the isolator queue, with one action: it echoes the trail
 * name, fails for `fail`, and answers `slow` last. Stands in for a service (testkit imports none).
 */
async function startEchoWorker(harness: ServiceHarness) {
  const config = loadConfig(StepWorkerEnv, harness.workerEnv({ IR_WORKER_CONCURRENCY: '4' }));
  const runtime = await createRuntime('echo', config, harness.serviceDeps('echo'));
  const urls = await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, ['coordinator']);
  const worker = createStepWorker({
    service: 'echo',
    actions: {
      'contain.cloudtrail-logging': async (params) => {
        if (params.trail === 'fail') return failed('told to fail');
        if (params.trail === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_500));
        return succeeded({ trail: params.trail ?? null });
      },
    },
    publisher: createPublisher(runtime.sqs, urls),
    aws: runtime.aws,
    metrics: createStepMetrics(runtime.metrics.registry),
    maxAttempts: config.IR_STEP_MAX_ATTEMPTS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
    accounts: runtime.accounts,
  });
  return harness.start(
    createQueueService({
      name: 'echo',
      config,
      runtime,
      queue: 'isolator',
      parse: worker.parse,
      handle: worker.handle,
    }),
  );
}

describe('serviceHarness', () => {
  let harness: ServiceHarness;
  beforeAll(async () => {
    harness = await serviceHarness({ endpoint: inject('awsEndpoint'), steps: { producer: 'harness-test' } });
    await startEchoWorker(harness);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('builds the common worker env for its account, with overrides on top', () => {
    // Act
    const env = harness.workerEnv({ IR_WAIT_TIME_SECONDS: '2', IR_EXTRA: 'x' });

    // Assess
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: harness.endpoint,
      AWS_REGION: harness.region,
      IR_HOME_ACCOUNT_ID: harness.account.accountId,
      IR_HTTP_PORT: '0',
      IR_WAIT_TIME_SECONDS: '2',
      IR_EXTRA: 'x',
    });
    expect(() => loadConfig(StepWorkerEnv, env)).not.toThrow();
  });

  it('runStep returns the step.succeeded answer for that stepId', async () => {
    // Act
    const answer = await harness.runStep(
      'isolator',
      'contain.cloudtrail-logging',
      { trail: 'audit' },
      { stepId: 'step-echo', incidentId: 'inc-echo' },
    );

    // Assess
    expect(answer).toMatchObject({ type: 'step.succeeded', incidentId: 'inc-echo', producer: 'echo' });
    expect(succeededPayload(answer)).toMatchObject({ stepId: 'step-echo', result: { trail: 'audit' } });
  });

  it('gives each concurrent command its own answer, even when answers arrive out of order', async () => {
    // Prepare
    const slow = await harness.sendStep('isolator', 'contain.cloudtrail-logging', { trail: 'slow' });
    const fast = await harness.sendStep('isolator', 'contain.cloudtrail-logging', { trail: 'fast' });

    // Act
    const [slowAnswer, fastAnswer] = await Promise.all([harness.answerTo(slow), harness.answerTo(fast)]);

    // Assess
    expect(slowAnswer.causationId).toBe(slow.id);
    expect(succeededPayload(slowAnswer)).toMatchObject({
      stepId: slow.payload.stepId,
      result: { trail: 'slow' },
    });
    expect(fastAnswer.causationId).toBe(fast.id);
    expect(succeededPayload(fastAnswer)).toMatchObject({
      stepId: fast.payload.stepId,
      result: { trail: 'fast' },
    });
    expect(harness.received.length).toBeGreaterThanOrEqual(3);
  });

  it('returns step.failed answers, which succeededPayload refuses with the reason', async () => {
    // Act
    const answer = await harness.runStep('isolator', 'contain.cloudtrail-logging', { trail: 'fail' });

    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.type === 'step.failed' && answer.payload.reason).toContain('told to fail');
    expect(() => succeededPayload(answer)).toThrow(/expected step.succeeded, got step.failed.*told to fail/);
  });

  it('names the step when no answer comes in time', async () => {
    // Prepare: a command on a queue nobody consumes.
    const command = await harness.sendStep('forensics', 'evidence.seal', {}, { stepId: 'never-answered' });

    // Act / Assess
    await expect(harness.answerTo(command, 1_500)).rejects.toThrow(
      /no answer to evidence.seal never-answered/,
    );
  });
});
