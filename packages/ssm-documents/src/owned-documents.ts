import { captureMemoryDocument } from './capture-memory.js';
import { cleanRoomAnalysisDocument } from './clean-room-analysis.js';
import { collectVolatileDocument } from './collect-volatile.js';
import { type SsmCommandDocument, SsmDocumentKey } from './document.js';
import { literal } from './patterns.js';

/** Where each owned document's values come from. */
export interface OwnedDocumentsOptions {
  /**
   * The evidence bucket as a pattern: {@link literal} of its name, or (in CloudFormation) a value
   * that resolves to a name without dots. Memory uploads go only to presigned URLs of this bucket.
   */
  readonly evidenceBucketPattern: string;
}

/** Every document the system owns, by key: what deploy creates, testkit bootstraps and forensics sends. */
export function ownedDocuments(options: OwnedDocumentsOptions): Record<SsmDocumentKey, SsmCommandDocument> {
  return {
    [SsmDocumentKey.collectVolatile]: collectVolatileDocument(),
    [SsmDocumentKey.captureMemory]: captureMemoryDocument(options),
    [SsmDocumentKey.cleanRoomAnalysis]: cleanRoomAnalysisDocument(),
  };
}

/** {@link ownedDocuments} for a bucket known by name (forensics, testkit). */
export function ownedDocumentsFor(evidenceBucket: string): Record<SsmDocumentKey, SsmCommandDocument> {
  return ownedDocuments({ evidenceBucketPattern: literal(evidenceBucket) });
}
