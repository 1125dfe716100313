/**
 * The evidence verifier and the manifest format, exported for the operator CLI
 * (`@ir/forensics/verifier`). Why from the forensics package: the format and the code that writes it
 * change together; the CLI imports only this entry point, never the service.
 */
export {
  EvidenceManifest,
  MANIFEST_SCHEMA,
  ManifestEntry,
  ManifestLink,
} from './manifest.js';
export {
  type ArtifactCheck,
  type ChainCheck,
  type VerificationReport,
  type VerifyOptions,
  verifyEvidence,
} from './verify-evidence.js';
