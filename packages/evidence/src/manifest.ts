import { z } from 'zod';
import { ManifestSignature } from './manifest-signature.js';

/** Version tag of the manifest format; a verifier refuses formats it does not know. */
export const MANIFEST_SCHEMA = 'ir.evidence-manifest/1';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

/** One artifact in a manifest: which bytes, exactly, and who collected them when. */
export const ManifestEntry = z.object({
  key: z.string().min(1),
  versionId: z.string().min(1),
  size: z.number().int().min(0),
  sha256: Sha256Hex,
  /** ARN of the identity that wrote the artifact (STS caller of the forensics service). */
  collector: z.string(),
  collectedAt: z.string(),
  action: z.string(),
  stepId: z.string(),
  sourceAccount: z.string(),
});
/** @see ManifestEntry */
export type ManifestEntry = z.infer<typeof ManifestEntry>;

/** The manifest a seal links to: its exact version and the SHA-256 of its bytes. */
export const ManifestLink = z.object({
  key: z.string().min(1),
  versionId: z.string().min(1),
  sha256: Sha256Hex,
});
/** @see ManifestLink */
export type ManifestLink = z.infer<typeof ManifestLink>;

/**
 * A chain-of-custody manifest. Why a chain: each seal names the previous manifest's hash, so removing
 * or rewriting any earlier manifest breaks every later link, even if Object Lock were lifted. Why a
 * signature too: a chain its writer can extend consistently proves nothing (TRAPS 25); only the
 * holder of the KMS signing key can add a manifest the verifier accepts.
 */
export const EvidenceManifest = z.object({
  schema: z.literal(MANIFEST_SCHEMA),
  incidentId: z.string().min(1),
  sequence: z.number().int().min(1),
  stepId: z.string().min(1),
  sealedAt: z.string(),
  sealedBy: z.string(),
  bucket: z.string().min(1),
  previous: ManifestLink.nullable(),
  artifacts: z.array(ManifestEntry),
  /** Things a person should know, e.g. keys that gained a later version before this seal. */
  warnings: z.array(z.string()),
  /**
   * KMS signature over the rest of the manifest (see `canonicalManifestBytes`). Optional in the
   * format so manifests sealed before signing still parse; the verifier reports them as unsigned.
   */
  signature: ManifestSignature.optional(),
});
/** @see EvidenceManifest */
export type EvidenceManifest = z.infer<typeof EvidenceManifest>;
