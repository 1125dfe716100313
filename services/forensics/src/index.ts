/**
 * The forensics service: executes `evidence.*` step commands on the runtime's step worker and watches
 * its evidence snapshots to completion. `main.ts` starts it; everything here only builds.
 */
export { type ForensicsConfig, ForensicsEnv, loadConfig } from './config.js';
export {
  CleanRoomNotReadyError,
  EvidenceConflictError,
  EvidenceIntegrityError,
  ForensicsError,
  StepRefusedError,
} from './errors.js';
export {
  createActions,
  createHandlers,
  EVIDENCE_TYPES,
  type ForensicsHandlers,
  type ForensicsMessage,
  type ForensicsMessageType,
  type HandlerDeps,
} from './handlers/index.js';
export { SNAPSHOT_FOLLOWUP, type SnapshotFollowup, snapshotFollowup } from './handlers/snapshot-followup.js';
export type { ActionDeps, EvidenceCommand, EvidenceType } from './handlers/types.js';
export { createForensicsMetrics, type ForensicsMetrics } from './metrics.js';
export { createService, type ForensicsDeps } from './service.js';
