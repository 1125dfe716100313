import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createPublisher,
  createQueueService,
  createRuntime,
  type Logger,
  type QueueService,
  QueueName,
  type RuntimeOverrides,
  resolveQueueUrls,
} from '@ir/runtime';
import { createCoalescingStore } from './coalescing/coalescing-store.js';
import { createReEmissionThrottle } from './coalescing/re-emission-throttle.js';
import type { DetectionConfig } from './config.js';
import { createHandlers } from './handlers/index.js';
import { createDetectionMetrics, type DetectionMetrics, FindingOutcome } from './metrics.js';
import { findingsParser } from './parse-findings-message.js';
import { listSuppressionRules } from '@ir/suppression';
import { type LiveRules, loadLiveRules } from './suppression/live-rules.js';
import type { CompiledRule } from './suppression/matchers.js';
import { createSuppressor } from './suppression/suppressor.js';

/** The service's name in logs, metrics and the `producer` of its messages. */
export const SERVICE_NAME = 'detection';

/** What tests (and the benchmark) may inject instead of the defaults. */
export interface DetectionDeps extends RuntimeOverrides {
  /** Clock for receipt times and the coalescing window. */
  readonly now?: () => Date;
  /** Id of a newly opened incident; a UUID by default. */
  readonly newIncidentId?: () => string;
  /**
   * Suppression rules instead of `IR_SUPPRESSIONS_FILE` and the table's rules, never re-read (e.g. a
   * rule that throws, in tests).
   */
  readonly suppressionRules?: readonly CompiledRule[];
}

/** The running detection service: the runtime's queue service plus its own metrics. */
export interface DetectionService extends QueueService {
  readonly metrics: DetectionMetrics;
  readonly logger: Logger;
  /** The live suppression rules (re-read every IR_SUPPRESSIONS_REFRESH_SECONDS); absent when injected. */
  readonly suppressions: LiveRules | undefined;
}

/**
 * Builds the detection service: consumes raw findings from `${IR_PREFIX}-findings`, publishes
 * `incident.opened` / `incident.updated` to `${IR_PREFIX}-coordinator`. Fails at start (before
 * polling) when the suppression file is invalid or the incident table (or its suppression rules)
 * cannot be read, so a misconfigured replica never consumes findings. The rules are re-read every
 * `IR_SUPPRESSIONS_REFRESH_SECONDS` while it runs (see {@link loadLiveRules}).
 */
export async function createService(
  config: DetectionConfig,
  deps: DetectionDeps = {},
): Promise<DetectionService> {
  const now = deps.now ?? (() => new Date());
  const runtime = await createRuntime(SERVICE_NAME, config, deps);
  const logger = runtime.logger;

  const dynamodb = await runtime.aws.client(DynamoDBClient);
  await dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }));
  const metrics = createDetectionMetrics(runtime.metrics.registry);
  const suppressions = deps.suppressionRules
    ? undefined
    : await loadLiveRules({
        file: config.IR_SUPPRESSIONS_FILE,
        readTable: () => listSuppressionRules(dynamodb, config.tableName),
        metrics,
        logger,
        now,
      });
  if (deps.suppressionRules) logSuppressionRules(logger, deps.suppressionRules, now());
  const publisher = createPublisher(
    runtime.sqs,
    await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, [QueueName.coordinator]),
  );
  const store = createCoalescingStore({
    dynamodb,
    tableName: config.tableName,
    windowSeconds: config.IR_COALESCE_WINDOW_SECONDS,
    memorySeconds: config.IR_FINDING_MEMORY_DAYS * 86_400,
    newIncidentId: deps.newIncidentId ?? randomUUID,
    newMessageId: randomUUID,
  });
  const throttle = createReEmissionThrottle({
    intervalMs: config.IR_REEMISSION_FORWARD_SECONDS * 1000,
    onReleased: () => metrics.reEmissionsReleasedTotal.inc({ result: 'published' }),
    onReleaseFailed: (error, finding) => {
      metrics.reEmissionsReleasedTotal.inc({ result: 'failed' });
      logger.error({ err: error, findingId: finding.id }, 'reemission_release_failed');
    },
  });
  const handlers = createHandlers({
    store,
    suppressor: suppressions?.suppressor ?? createSuppressor(deps.suppressionRules ?? []),
    publisher,
    metrics,
    now,
    acceptSampleFindings: config.IR_ACCEPT_SAMPLE_FINDINGS,
    dryRun: config.IR_DRY_RUN,
    throttle,
  });
  const service = await createQueueService({
    name: SERVICE_NAME,
    config,
    runtime,
    queue: QueueName.findings,
    parse: findingsParser({
      maxBytes: config.IR_MAX_FINDING_BYTES,
      now,
      onRejected: (source) => metrics.findingsTotal.inc({ source, outcome: FindingOutcome.rejected }),
    }),
    handle: handlers.findings,
    onStop: async () => {
      // After the workers stopped: what is held goes out before the clients close.
      await throttle.flush();
      await suppressions?.stop();
      dynamodb.destroy();
    },
  });
  suppressions?.start(config.IR_SUPPRESSIONS_REFRESH_SECONDS * 1000);
  return Object.assign(service, { metrics, logger, suppressions });
}

/** One line per injected rule at start, so the audit trail shows what was suppressed and why. */
function logSuppressionRules(logger: Logger, rules: readonly CompiledRule[], now: Date): void {
  for (const rule of rules) {
    const expired = rule.expiresAt !== undefined && rule.expiresAt.getTime() <= now.getTime();
    logger[expired ? 'warn' : 'info'](
      { rule: rule.name, ruleReason: rule.reason, expiresAt: rule.expiresAt?.toISOString() },
      expired ? 'suppression_rule_expired' : 'suppression_rule_loaded',
    );
  }
}
