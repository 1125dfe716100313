export { createService, type IsolatorDeps } from './app.js';
export { IsolatorEnv, type IsolatorConfig, loadConfig } from './config.js';
export {
  ContainmentRefusedError,
  InvalidPreStateError,
  IsolatorError,
  ResourceNotFoundError,
  UnexpectedAwsResponseError,
  VerificationFailedError,
} from './errors.js';
export {
  type ActionTable,
  createHandlers,
  type IsolatorHandlerDeps,
  type IsolatorMessage,
  isolatorMessageTypes,
} from './handlers/index.js';
export type { ActionContext, ActionHandler, StepOutcome } from './handlers/types.js';
