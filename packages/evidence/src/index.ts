/**
 * The evidence format and its verifier. Why a package: forensics writes evidence and seals it; the
 * coordinator (the report) and irctl (`irctl verify`) verify it. No service imports another, so the
 * format, its keys and the code that checks them live here, and change together.
 */
export { base64ToHex, type Sha256, sha256 } from './hash.js';
export {
  artifactKey,
  incidentPrefix,
  keySegment,
  manifestKey,
  manifestPrefix,
  parseManifestKey,
} from './keys.js';
export { EvidenceManifest, MANIFEST_SCHEMA, ManifestEntry, ManifestLink } from './manifest.js';
export {
  canonicalManifestBytes,
  checkManifestSignature,
  MANIFEST_SIGNING_ALGORITHM,
  ManifestSignature,
  type SignatureCheck,
  type SignatureStatus,
  signManifest,
} from './manifest-signature.js';
export { listManifests, readSealedManifest, type StoredManifest } from './manifest-store.js';
export {
  hashVersion,
  headVersion,
  listVersions,
  type ObjectVersion,
  readVersion,
  versionsByKey,
} from './s3-versions.js';
export {
  type ArtifactCheck,
  type ChainCheck,
  type VerificationReport,
  type VerifyOptions,
  verifyEvidence,
} from './verify-evidence.js';
