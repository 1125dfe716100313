/**
 * The detection service's public surface, for the end-to-end tests, scripts and the benchmark:
 * build it with `createService(loadConfig(env), deps)`. `main.ts` is the process entry point.
 */
export {
  type CoalescingDecision,
  type CoalescingStore,
  type CoalescingStoreSettings,
  createCoalescingStore,
  type IncidentMessageKind,
  type OutboxEntry,
  type RecordInput,
  type RecordResult,
} from './coalescing/coalescing-store.js';
export { DEFAULT_MAX_FINDING_BYTES, type DetectionConfig, DetectionEnv, loadConfig } from './config.js';
export {
  CoalescingContentionError,
  DetectionError,
  FindingTooLargeError,
  isDetectionError,
  SuppressionRulesError,
} from './errors.js';
export { createHandlers, type FindingsHandlerDeps } from './handlers/index.js';
export {
  fitFinding,
  type IncidentMessageOptions,
  incidentMessage,
  MAX_FINDING_JSON_BYTES,
  PRODUCER,
} from './incident-messages.js';
export { createDetectionMetrics, type DetectionMetrics, FindingOutcome } from './metrics.js';
export {
  DRY_RUN_ATTRIBUTE,
  type FindingBatch,
  type FindingsParserSettings,
  findingsParser,
  sourceOfFormat,
} from './parse-findings-message.js';
export { createService, type DetectionDeps, type DetectionService, SERVICE_NAME } from './service.js';
export { type CompiledRule, compileRule } from './suppression/matchers.js';
export {
  loadSuppressionRules,
  parseSuppressionRules,
  SuppressionMatch,
  SuppressionRule,
  SuppressionRulesFile,
} from './suppression/rules-file.js';
export { createSuppressor, type SuppressionVerdict, type Suppressor } from './suppression/suppressor.js';
