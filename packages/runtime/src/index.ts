export {
  type AccountDecision,
  type AccountPolicy,
  type AccountPolicySettings,
  AllowedAccountsSource,
  createAccountPolicy,
  parseAccountList,
} from './accounts/allowed-accounts.js';
export { listActiveOrganizationAccounts } from './accounts/organization-accounts.js';
export {
  type AwsCallLog,
  type AwsCallPrincipal,
  type AwsCallRecord,
  type AwsCallTarget,
  addCallRecorder,
  createAwsCallLog,
  identifyingFields,
} from './aws/call-log.js';
export { type AwsEndpointSettings, baseClientConfig, s3ClientConfig } from './aws/client-config.js';
export {
  type AwsClientClass,
  type AwsClientFactory,
  type AwsClientFactorySettings,
  type AwsTarget,
  createAwsClientFactory,
  partitionOf,
  roleSessionName,
} from './aws/client-factory.js';
export { addCallCounter, type MiddlewareHost, serviceLabel } from './aws/metrics-middleware.js';
export { type Env, env, loadConfig, redactConfig, WorkerEnv } from './config.js';
export {
  AccountNotAllowedError,
  ConfigError,
  DeadLetterReadError,
  errorMessage,
  errorName,
  errorReason,
  IrError,
  isDeadLetterReadError,
  isRetryable,
  isThrottling,
  NonRetryableError,
  RetryableError,
} from './errors.js';
export { createHttpServer, type HttpServerSettings } from './http/server.js';
export { createLogger, type Logger, type LoggerSettings, REDACT_PATHS } from './logger.js';
export { createMetrics, MessageOutcome, type RuntimeMetrics } from './metrics.js';
export {
  chunkForBatch,
  createPublisher,
  type Publishable,
  type Publisher,
  type PublishOptions,
} from './publisher.js';
export {
  physicalQueueName,
  QueueName,
  type QueueEndpoints,
  resolveQueue,
  resolveQueueUrls,
} from './queues.js';
export { createRuntime, type RuntimeDeps, type RuntimeOverrides, workerTuning } from './runtime.js';
export {
  createServiceLifecycle,
  exitOnSignals,
  ServiceState,
  type ServiceLifecycle,
  type ServiceLifecycleSettings,
} from './service.js';
export { type QueueDepth, readQueueDepth, refreshQueueDepth } from './queue-depth.js';
export { type QueueService, type QueueServiceSettings, createQueueService } from './queue-service.js';
export { type AcceptedMessage, envelopeParser } from './worker/envelope-parser.js';
export { DlqAttribute, type DeadLetterReason, sendToDeadLetterQueue } from './worker/dead-letter.js';
export {
  type DeadLetter,
  type DeadLetterPeek,
  type DeadLetterRedrive,
  type DeadLetterRedriveOutcome,
  type DeadLetterRedriveProblem,
  DLQ_ATTRIBUTE_PREFIX,
  describeDeadLetter,
  FORGED_DECISION_REASON_PREFIX,
  peekDeadLetters,
  RETRIES_EXHAUSTED,
  redriveAttributes,
  redriveDeadLetters,
  redriveRefusal,
} from './dead-letters.js';
export {
  type AccountSlots,
  createAccountSlots,
  DEFERRALS_ATTRIBUTE,
  deferMessage,
} from './worker/account-fairness.js';
export {
  createWorker,
  type HandlerContext,
  type ParsedMessage,
  retryDelaySeconds,
  type Worker,
  type WorkerSettings,
  WorkerState,
} from './worker/worker.js';
export {
  DEFAULT_RECEIVE_BACKOFF,
  type ReceiveBackoffSettings,
  receiveBackoffDelayMs,
} from './worker/receive-backoff.js';
export {
  ANSWER_RESERVE_MS,
  createStepMetrics,
  createStepWorker,
  deferred,
  failed,
  held,
  lazyHandler,
  type ParamsOf,
  skipped,
  type StepActionTable,
  type StepCommand,
  type StepCommandType,
  type StepContext,
  stepFailureReason,
  type StepHandler,
  StepMetricOutcome,
  type StepMetrics,
  type StepOutcome,
  type StepWorker,
  type StepWorkerSettings,
  succeeded,
  workEndsAt,
} from './step-worker/index.js';
export { StepWorkerEnv } from './config.js';
export { abortableSleep } from './abortable-sleep.js';
export { addCallSpan } from './tracing/aws-span.js';
export { extractTraceContext, TraceAttribute, traceAttributes } from './tracing/propagation.js';
export {
  disabledTracing,
  registerTraceContext,
  startTracing,
  type Tracing,
  type TracingSettings,
  tracesUrl,
} from './tracing/tracing.js';
