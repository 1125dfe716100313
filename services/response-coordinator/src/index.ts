/**
 * @ir/response-coordinator: plans and tracks incidents (playbook DAG, state in DynamoDB, approvals,
 * blast radius, rollback, operator API). `main.ts` starts it; this barrel is for tests and tools that
 * build a coordinator in-process. The shapes it serves (records, API bodies, report) are in
 * `@ir/contracts`.
 */
export { apiRoutes, type ApiDeps } from './api/routes.js';
export { CoordinatorEnv, type CoordinatorConfig, durationSeconds, loadConfig } from './config.js';
export {
  ConcurrentUpdateError,
  CoordinatorError,
  CorruptItemError,
  TransitionTooLargeError,
  UnknownIncidentError,
  UnknownStepError,
} from './errors.js';
export {
  type CoordinatorMessage,
  coordinatorMessageTypes,
  createHandlers,
  type HandlerDeps,
} from './handlers/index.js';
export { type CoordinatorMetrics, createCoordinatorMetrics } from './metrics.js';
export {
  type BlastSlotTimes,
  type BlastTake,
  createIncidentRepository,
  type DecisionItems,
  type IncidentItems,
  type IncidentRepository,
  type IncidentSummary,
  type StaleOutboxEntry,
} from './repository/incident-repository.js';
export { type CoordinatorDeps, type CoordinatorService, createService, SERVICE_NAME } from './service.js';
export type { Planner } from './state/plan-steps.js';
export { createSweeper, OUTBOX_GRACE_MS, type Sweeper } from './sweeper.js';
