export {
  type MemoryAction,
  MEMORY_ACTIONS,
  captureMemoryDocument,
} from './capture-memory.js';
export {
  CLEAN_ROOM_ANALYSES,
  type CleanRoomAnalysis,
  cleanRoomAnalysisDocument,
  cleanRoomScripts,
  KNOWN_BAD_PER_COMMAND,
  MOUNT_ROOT,
  VOLUMES_PER_COMMAND,
} from './clean-room-analysis.js';
export {
  collectVolatileDocument,
  VOLATILE_COLLECTION_NAMES,
  VOLATILE_COLLECTIONS,
  type VolatileCollection,
} from './collect-volatile.js';
export {
  EXECUTION_TIMEOUT,
  type SsmCommandDocument,
  SsmDocumentKey,
  type SsmParameter,
  type SsmShellStep,
  SSM_DOCUMENT_KEYS,
  ssmDocumentName,
  ssmDocumentNames,
} from './document.js';
export { type OwnedDocumentsOptions, ownedDocuments, ownedDocumentsFor } from './owned-documents.js';
export { parameterErrors, renderScript } from './parameters.js';
export { ABSOLUTE_PATH, literal, presignedS3Url } from './patterns.js';
