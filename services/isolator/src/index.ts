export type { ActionDeps } from './actions/action-deps.js';
export { createActions, type IsolatorMessageType, isolatorMessageTypes } from './actions/table.js';
export { IsolatorEnv, type IsolatorConfig, loadConfig } from './config.js';
export {
  ContainmentRefusedError,
  InvalidPreStateError,
  IsolatorError,
  OperatorActionRequiredError,
  ResourceNotFoundError,
  UnexpectedAwsResponseError,
  VerificationFailedError,
} from './errors.js';
export { createService, type IsolatorDeps } from './service.js';
export { createIsolatorWorker, type IsolatorWorkerDeps } from './worker.js';
