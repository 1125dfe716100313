import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import {
  abortableSleep,
  createPublisher,
  createQueueService,
  createRuntime,
  createStepMetrics,
  QueueName,
  type QueueService,
  resolveQueueUrls,
  type RuntimeOverrides,
} from '@ir/runtime';
import type { ForensicsConfig } from './config.js';
import { createEvidenceStore } from './evidence/evidence-store.js';
import { createHandlers, type ForensicsMessage } from './handlers/index.js';
import { loadKnownBad } from './clean-room/known-bad.js';
import { createForensicsMetrics } from './metrics.js';
import {
  describeManagedInstance,
  inventoryUnavailable,
  type ManagedInstanceLookup,
} from './volatile/managed-instance.js';

/** What tests (and only tests) replace. */
export interface ForensicsDeps extends RuntimeOverrides {
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Replaces SSM DescribeInstanceInformation (moto does not implement it). */
  readonly managedInstance?: ManagedInstanceLookup;
}

/**
 * Builds the forensics service: consumes `${IR_PREFIX}-forensics`, executes evidence.* commands on the
 * runtime's step worker (and its own snapshot follow-ups), writes artifacts to `IR_EVIDENCE_BUCKET` with our own account's S3 client, and answers on
 * `${IR_PREFIX}-coordinator`.
 */
export async function createService(
  config: ForensicsConfig,
  deps: ForensicsDeps = {},
): Promise<QueueService> {
  const runtime = await createRuntime('forensics', config, deps);
  const now = deps.now ?? (() => new Date());
  const metrics = createForensicsMetrics(runtime.metrics.registry);
  let caller: Promise<string> | undefined;
  const callerArn = () => {
    caller ??= runtime.aws
      .client(STSClient)
      .then((sts) => sts.send(new GetCallerIdentityCommand({})))
      .then((identity) => identity.Arn ?? `account:${identity.Account ?? 'unknown'}`)
      .catch((error: unknown) => {
        caller = undefined;
        throw error;
      });
    return caller;
  };
  const evidenceSettings = {
    lockMode: config.IR_EVIDENCE_LOCK_MODE,
    retentionDays: config.IR_EVIDENCE_RETENTION_DAYS,
    kmsKeyId: config.IR_EVIDENCE_KMS_KEY,
    collector: callerArn,
    now,
  };
  const store = createEvidenceStore({
    s3: await runtime.aws.client(S3Client),
    bucket: config.IR_EVIDENCE_BUCKET,
    ...evidenceSettings,
  });
  const queueUrls = await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, [
    QueueName.coordinator,
    QueueName.forensics,
  ]);
  const publisher = createPublisher(runtime.sqs, queueUrls);
  // Read once at start: a list that cannot be read fails the start, not an incident at 2 a.m.
  const knownBad = await loadKnownBad(config.IR_KNOWN_BAD_HASHES_FILE);
  const handlers = createHandlers({
    knownBad,
    config,
    aws: runtime.aws,
    store,
    evidenceSettings,
    metrics,
    now,
    sleep: deps.sleep ?? abortableSleep,
    managedInstance:
      deps.managedInstance ??
      (config.IR_SSM_INVENTORY === 'unavailable' ? inventoryUnavailable : describeManagedInstance),
    callerArn,
    publisher,
    followups: publisher,
    stepMetrics: createStepMetrics(runtime.metrics.registry),
    maxAttempts: config.IR_STEP_MAX_ATTEMPTS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
    accounts: runtime.accounts,
    ...(deps.newId ? { newId: deps.newId } : {}),
  });
  return createQueueService<ForensicsMessage>({
    name: 'forensics',
    config,
    runtime,
    queue: QueueName.forensics,
    // A snapshot or a clean room must not hold back the captures received with it.
    receiveLoops: 'per-slot',
    parse: handlers.parse,
    handle: handlers.handle,
  });
}
