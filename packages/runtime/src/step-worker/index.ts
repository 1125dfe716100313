export type {
  ParamsOf,
  StepActionTable,
  StepCommand,
  StepCommandType,
  StepContext,
  StepHandler,
} from './step-context.js';
export { lazyHandler } from './lazy-handler.js';
export { deferred, failed, held, skipped, type StepOutcome, succeeded } from './step-outcome.js';
export { createStepMetrics, StepMetricOutcome, type StepMetrics } from './step-metrics.js';
export {
  ANSWER_RESERVE_MS,
  createStepWorker,
  type StepWorker,
  type StepWorkerSettings,
  stepFailureReason,
  workEndsAt,
} from './step-worker.js';
