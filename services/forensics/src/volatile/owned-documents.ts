import {
  ownedDocumentsFor,
  type SsmCommandDocument,
  SsmDocumentKey,
  ssmDocumentName,
} from '@ir/ssm-documents';
import type { ForensicsConfig } from '../config.js';

/** The documents host commands are sent with: their names in SSM, and their definitions to check values against. */
export interface DocumentSet {
  readonly names: Readonly<Record<SsmDocumentKey, string>>;
  readonly definitions: Readonly<Record<SsmDocumentKey, SsmCommandDocument>>;
}

/**
 * The owned documents as this deployment names them: `IR_SSM_DOCUMENT_*`, or `${IR_PREFIX}-<Key>` as
 * deploy and the testkit bootstrap create them. The definitions are the same code deploy creates the
 * documents from, for the evidence bucket of `IR_EVIDENCE_BUCKET`.
 */
export function documentSetOf(
  config: Pick<
    ForensicsConfig,
    | 'IR_PREFIX'
    | 'IR_EVIDENCE_BUCKET'
    | 'IR_SSM_DOCUMENT_COLLECT_VOLATILE'
    | 'IR_SSM_DOCUMENT_CAPTURE_MEMORY'
    | 'IR_SSM_DOCUMENT_CLEAN_ROOM_ANALYSIS'
  >,
): DocumentSet {
  const name = (key: SsmDocumentKey, configured: string | undefined) =>
    configured ?? ssmDocumentName(config.IR_PREFIX, key);
  return {
    names: {
      [SsmDocumentKey.collectVolatile]: name(
        SsmDocumentKey.collectVolatile,
        config.IR_SSM_DOCUMENT_COLLECT_VOLATILE,
      ),
      [SsmDocumentKey.captureMemory]: name(
        SsmDocumentKey.captureMemory,
        config.IR_SSM_DOCUMENT_CAPTURE_MEMORY,
      ),
      [SsmDocumentKey.cleanRoomAnalysis]: name(
        SsmDocumentKey.cleanRoomAnalysis,
        config.IR_SSM_DOCUMENT_CLEAN_ROOM_ANALYSIS,
      ),
    },
    definitions: ownedDocumentsFor(config.IR_EVIDENCE_BUCKET),
  };
}
