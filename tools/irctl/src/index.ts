/**
 * @ir/irctl: the operator CLI. The binary is `irctl` (src/main.ts); this entry point lets the
 * end-to-end and reliability suites run it in-process and reuse its API client.
 */
export {
  type CoordinatorApi,
  type CoordinatorApiSettings,
  coordinatorApi,
  type Decision,
  IncidentDetailView,
  IncidentSummaryView,
  StepView,
  TimelineView,
} from './api-client.js';
export {
  type CachedLogin,
  loginKey,
  readTokenCache,
  TokenCacheFile,
  tokenCachePath,
} from './auth/token-cache.js';
export { type ApiToken, EXPIRY_SKEW_MS, resolveApiToken, type TokenOrigin } from './auth/token-source.js';
export {
  COMMANDS,
  execute,
  findCommand,
  type IrctlResult,
  type RunIo,
  type RunIrctlOptions,
  runIrctl,
} from './cli.js';
export type { AwsClients, CommandContext, CommandSpec, OptionSpec, ParsedArgs } from './command.js';
export { DRY_RUN_ATTRIBUTE, SUBMITTED_BY_ATTRIBUTE } from './commands/submit.js';
export { DEFAULT_API_URL, type Env, type IrctlConfig, IrctlEnv, loadConfig } from './config.js';
export {
  ApiError,
  AwsCallError,
  ConfigurationError,
  ExitCode,
  InputError,
  IrctlError,
  isIrctlError,
  LoginError,
  LoginRequiredError,
  TokenCacheError,
  UsageError,
} from './errors.js';
export { MAX_FINDING_BYTES } from './finding-input.js';
