import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import { buildMessage, evidenceActions, type MessageOf } from '@ir/contracts';
import {
  type AwsClientFactory,
  createLogger,
  createStepMetrics,
  type HandlerContext,
  type Publishable,
} from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { EvidenceStore } from '../../src/evidence/evidence-store.js';
import { createHandlers } from '../../src/handlers/index.js';
import { createForensicsMetrics } from '../../src/metrics.js';

const NOW = new Date('2026-11-20T03:00:00.000Z');
const MAX_ATTEMPTS = 4;
const target = { accountId: '111111111111', region: 'eu-west-1' };

/** What AWS answers when it wants us to slow down: transient, so the step worker retries it. */
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * The forensics queue handler over fakes: every AWS client the actions ask for fails with `failure`,
 * and the evidence store says the snapshot watch's artifact already exists (so a follow-up goes
 * straight to its seal, which asks for a client).
 */
function setup(failure: () => Error = throttled) {
  const answers: Publishable[] = [];
  const followups: Publishable[] = [];
  const registry = new Registry();
  const aws = {
    client: async () => {
      throw failure();
    },
    homeAccountId: async () => '999999999999',
    memberRoleArn: (accountId: string) => `arn:aws:iam::${accountId}:role/ir`,
  } as AwsClientFactory;
  const store = {
    bucket: 'ir-evidence-123',
    read: async () => ({ artifact: {}, body: '{}' }),
    keyOf: () => 'key',
  } as unknown as EvidenceStore; // only read and keyOf are reached before the AWS client fails
  const handlers = createHandlers({
    config: loadConfig({
      IR_EVIDENCE_BUCKET: 'ir-evidence-123',
      IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
    }),
    aws,
    store,
    evidenceSettings: {
      lockMode: 'GOVERNANCE',
      retentionDays: 1,
      kmsKeyId: undefined,
      collector: async () => 'arn:aws:sts::999999999999:assumed-role/forensics',
      now: () => NOW,
    },
    metrics: createForensicsMetrics(registry),
    now: () => NOW,
    sleep: async () => {},
    managedInstance: async () => {
      throw new Error('not reached');
    },
    callerArn: async () => 'arn:aws:sts::999999999999:assumed-role/forensics',
    publisher: { publish: async (_queue, messages) => void answers.push(...messages) },
    followups: { publish: async (_queue, messages) => void followups.push(...messages) },
    stepMetrics: createStepMetrics(registry),
    maxAttempts: MAX_ATTEMPTS,
    retryBaseSeconds: 1,
    retryMaxSeconds: 2,
  });
  const context = (receiveCount: number): HandlerContext => ({
    signal: new AbortController().signal,
    logger: createLogger({ service: 'test', level: 'silent' }),
    message: {},
    receiveCount,
  });
  const envelope = {
    incidentId: 'inc-1',
    correlationId: 'inc-1',
    causationId: null,
    producer: 'response-coordinator',
    dryRun: false,
  };
  const collectS3 = buildMessage(
    'evidence.collect-s3',
    {
      ...envelope,
      payload: {
        stepId: 'collect-s3',
        action: 'evidence.collect-s3',
        playbookId: 's3-exposure',
        target,
        timeoutSeconds: 300,
        params: { bucketName: 'exposed-bucket' },
      },
    },
    { now: () => NOW },
  );
  const followup = buildMessage(
    'evidence.snapshot-followup',
    {
      ...envelope,
      producer: 'forensics',
      payload: {
        stepId: 'snapshot',
        target,
        instanceId: 'i-1',
        attempt: 1,
        watchStartedAt: NOW.toISOString(),
        watchUntil: new Date(NOW.getTime() + 3_600_000).toISOString(),
        completedObservedAt: {},
        copyMisses: {},
      },
    },
    { now: () => NOW },
  );
  const sqs = (body: unknown): SqsMessage => ({ MessageId: 'm-1', Body: JSON.stringify(body) });
  const metric = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
      Object.entries(labels).every(([key, value]) => v.labels[key] === value),
    )?.value ?? 0;
  return { handlers, context, collectS3, followup, sqs, answers, followups, metric, registry };
}

describe('createHandlers (forensics on the step worker)', () => {
  it('answers step.failed naming the transient error on the last attempt, instead of throwing', async () => {
    // Prepare
    const { handlers, context, collectS3, sqs, answers, metric } = setup();
    const parsed = handlers.parse(sqs(collectS3));
    // Act
    await handlers.handle(parsed, context(MAX_ATTEMPTS));
    // Assess
    expect(answers).toHaveLength(1);
    const answer = answers[0] as MessageOf<'step.failed'>;
    expect(answer.type).toBe('step.failed');
    expect(answer.causationId).toBe(collectS3.id);
    expect(answer.producer).toBe('forensics');
    expect(answer.payload).toMatchObject({
      stepId: 'collect-s3',
      action: 'evidence.collect-s3',
      errorName: 'ThrottlingException',
      retryable: false,
    });
    expect(answer.payload.reason).toContain('Rate exceeded');
    expect(answer.payload.reason).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    expect(
      await metric('ir_step_executions_total', { action: 'evidence.collect-s3', outcome: 'failed' }),
    ).toBe(1);
  });

  it('throws a transient error before the last attempt, so the queue delivers the command again', async () => {
    // Prepare
    const { handlers, context, collectS3, sqs, answers, metric } = setup();
    const parsed = handlers.parse(sqs(collectS3));
    // Act
    const run = handlers.handle(parsed, context(1));
    // Assess
    await expect(run).rejects.toThrow('Rate exceeded');
    expect(answers).toEqual([]);
    expect(
      await metric('ir_step_executions_total', { action: 'evidence.collect-s3', outcome: 'retried' }),
    ).toBe(1);
  });

  it('answers a permanent error as step.failed on the first attempt', async () => {
    // Prepare
    const denied = () =>
      Object.assign(new Error('not authorized to perform s3:GetBucketVersioning'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    const { handlers, context, collectS3, sqs, answers } = setup(denied);
    // Act
    await handlers.handle(handlers.parse(sqs(collectS3)), context(1));
    // Assess
    const answer = answers[0] as MessageOf<'step.failed'>;
    expect(answer.type).toBe('step.failed');
    expect(answer.payload.errorName).toBe('AccessDenied');
    expect(answer.payload.reason).toContain('docs/iam/forensics-policy.json');
  });

  it('sends a snapshot follow-up to its own handler, which answers nobody', async () => {
    // Prepare
    const { handlers, context, followup, sqs, answers, metric } = setup();
    const parsed = handlers.parse(sqs(followup));
    // Act
    const run = handlers.handle(parsed, context(MAX_ATTEMPTS));
    // Assess: not a step, so no step answer and no step metric; the error is left to the queue.
    await expect(run).rejects.toThrow('Rate exceeded');
    expect(parsed.type).toBe('evidence.snapshot-followup');
    expect(answers).toEqual([]);
    expect(await metric('ir_step_executions_total', {})).toBe(0);
  });

  it('accepts every evidence command and the follow-up on its queue, and nothing else', () => {
    // Prepare
    const { handlers, sqs, collectS3 } = setup();
    const other = { ...collectS3, type: 'notify.incident' };
    // Act
    const types = handlers.types;
    // Assess
    expect(types).toContain('evidence.snapshot-followup');
    expect(types).toContain('evidence.store-report');
    // Every evidence command of the contracts, plus the service's own follow-up.
    expect(types).toHaveLength(evidenceActions.length + 1);
    expect(() => handlers.parse(sqs(other))).toThrow();
  });

  it('counts steps with the runtime step metrics only', async () => {
    // Prepare
    const { registry } = setup();
    // Act
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    // Assess
    expect(names).toEqual(
      expect.arrayContaining(['ir_step_executions_total', 'ir_step_execution_duration_seconds']),
    );
    expect(names).not.toContain('ir_forensics_steps_total');
    expect(names).toContain('ir_forensics_artifacts_total');
  });
});
