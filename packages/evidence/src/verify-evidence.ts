import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage, errorName } from '@ir/runtime';
import { incidentPrefix, keySegment } from './keys.js';
import { hashVersion, listVersions, versionsByKey } from './s3-versions.js';
import type { ManifestEntry } from './manifest.js';
import { checkManifestSignature, type SignatureStatus } from './manifest-signature.js';
import { listManifests, readSealedManifest } from './manifest-store.js';

/** What the verifier found for one sealed artifact. */
export interface ArtifactCheck {
  readonly key: string;
  readonly versionId: string;
  /** `match`: the sealed version's bytes hash as sealed; `mismatch`: they do not; `missing`: unreadable. */
  readonly status: 'match' | 'mismatch' | 'missing';
  readonly expectedSha256: string;
  readonly actualSha256: string | null;
  /** The key's newest version, when it is not the sealed one (written after the seal). */
  readonly latestVersionId: string | null;
  readonly latestDiffers: boolean;
  readonly latestSha256: string | null;
  readonly manifest: string;
  readonly detail: string | null;
}

/** What the verifier found for one manifest of the chain. */
export interface ChainCheck {
  readonly key: string;
  readonly sequence: number;
  /** `broken` when the chain or the signature is wrong; `reason` says which. */
  readonly status: 'ok' | 'broken';
  readonly reason: string | null;
  /** The manifest's signature: `valid`, `unsigned` (none) or `invalid`; null when it was unreadable. */
  readonly signature: SignatureStatus | null;
}

/** The verifier's report: `ok` only when every manifest links and is signed, and every artifact matches. */
export interface VerificationReport {
  readonly incidentId: string;
  readonly bucket: string;
  readonly ok: boolean;
  readonly manifests: readonly ChainCheck[];
  readonly artifacts: readonly ArtifactCheck[];
  /** One sentence per problem, for a person. */
  readonly problems: readonly string[];
}

/** Options of {@link verifyEvidence}. */
export interface VerifyOptions {
  /** Reads the evidence bucket (the security account's S3 client). */
  readonly s3: S3Client;
  readonly bucket: string;
  readonly incidentId: string;
  /**
   * The key every manifest must be signed with (id, ARN or alias) and a KMS client of its account
   * (`kms:Verify`). Required: a verifier that is not told the key cannot tell a forged manifest from
   * a sealed one, so it has no way to report OK.
   */
  readonly signing: { readonly kms: KMSClient; readonly keyId: string };
}

/**
 * Verifies an incident's evidence: the manifest chain (sequence, each `previous` link against the
 * previous manifest's bytes, no rewritten manifest), each manifest's KMS signature against
 * `signing.keyId`, and every artifact any manifest names, re-read at the named version and re-hashed
 * here. Reports each match, mismatch, missing artifact, later version, unsigned manifest and
 * signature that does not verify. Manifests sealed before signing existed are reported `unsigned`
 * like any other: nothing in the bucket tells them apart from a forgery. Never throws for what it
 * finds, only when S3 or KMS cannot be read at all.
 */
export async function verifyEvidence(options: VerifyOptions): Promise<VerificationReport> {
  const { s3, bucket, incidentId, signing } = options;
  const problems: string[] = [];
  const manifests = await listManifests(s3, bucket, incidentId);
  if (manifests.length === 0) problems.push(`no manifest found under incidents/${incidentId}/manifests/`);

  const chain: ChainCheck[] = [];
  const entries = new Map<string, { entry: ManifestEntry; manifest: string }>();
  let previous: { key: string; versionId: string; sha256: string } | undefined;
  for (const [index, stored] of manifests.entries()) {
    const broken = (reason: string, signature: SignatureStatus | null) => {
      chain.push({ key: stored.key, sequence: stored.sequence, status: 'broken', reason, signature });
      problems.push(`manifest ${stored.key}: ${reason}`);
    };
    let sealed: Awaited<ReturnType<typeof readSealedManifest>>;
    try {
      sealed = await readSealedManifest(s3, bucket, stored);
    } catch (error: unknown) {
      broken(`unreadable: ${errorName(error)}: ${errorMessage(error)}`, null);
      previous = undefined;
      continue;
    }
    const { document } = sealed;
    const reasons: string[] = [];
    if (stored.sequence !== index + 1 || document.sequence !== stored.sequence) {
      reasons.push(
        `sequence ${document.sequence} where ${index + 1} was expected (a manifest is missing or renamed)`,
      );
    }
    if (document.incidentId !== incidentId) reasons.push(`names incident ${document.incidentId}`);
    if (keySegment(document.stepId) !== stored.stepId) reasons.push(`names step ${document.stepId}`);
    if (index === 0 && document.previous !== null) reasons.push('first manifest links to a previous one');
    if (index > 0) {
      const link = document.previous;
      if (!previous) reasons.push('previous manifest could not be read');
      else if (!link) reasons.push('no link to the previous manifest');
      else if (
        link.key !== previous.key ||
        link.versionId !== previous.versionId ||
        link.sha256 !== previous.sha256
      ) {
        reasons.push(
          `links to ${link.key}@${link.versionId} (${link.sha256}) but the previous manifest is ${previous.key}@${previous.versionId} (${previous.sha256})`,
        );
      }
    }
    if (stored.versions.length > 1)
      reasons.push(`has ${stored.versions.length - 1} later version(s): a sealed manifest was overwritten`);
    const signature = await checkManifestSignature(signing.kms, signing.keyId, sealed.raw);
    if (signature.reason) reasons.push(signature.reason);
    if (reasons.length > 0) broken(reasons.join('; '), signature.status);
    else
      chain.push({
        key: stored.key,
        sequence: stored.sequence,
        status: 'ok',
        reason: null,
        signature: 'valid',
      });
    previous = { key: stored.key, versionId: sealed.versionId, sha256: sealed.sha256 };
    for (const entry of document.artifacts)
      entries.set(`${entry.key}@${entry.versionId}`, { entry, manifest: stored.key });
  }

  const versions = versionsByKey(await listVersions(s3, bucket, incidentPrefix(incidentId)));
  const artifacts: ArtifactCheck[] = [];
  for (const { entry, manifest } of entries.values()) {
    const check = await checkArtifact(s3, bucket, entry, manifest, versions.get(entry.key) ?? []);
    artifacts.push(check);
    if (check.status !== 'match')
      problems.push(
        `${entry.key}@${entry.versionId}: ${check.status}${check.detail ? ` (${check.detail})` : ''}`,
      );
    if (check.latestDiffers)
      problems.push(
        `${entry.key}: a later version ${check.latestVersionId} exists; the sealed version is ${entry.versionId}`,
      );
  }
  return { incidentId, bucket, ok: problems.length === 0, manifests: chain, artifacts, problems };
}

async function checkArtifact(
  s3: S3Client,
  bucket: string,
  entry: ManifestEntry,
  manifest: string,
  versions: readonly { versionId: string }[],
): Promise<ArtifactCheck> {
  const latest = versions.at(-1);
  const latestDiffers = latest !== undefined && latest.versionId !== entry.versionId;
  const latestSha256 =
    latestDiffers && latest ? await hashOf(s3, bucket, entry.key, latest.versionId).catch(() => null) : null;
  const base = {
    key: entry.key,
    versionId: entry.versionId,
    expectedSha256: entry.sha256,
    latestVersionId: latestDiffers && latest ? latest.versionId : null,
    latestDiffers,
    latestSha256,
    manifest,
  };
  let actual: string;
  try {
    actual = await hashOf(s3, bucket, entry.key, entry.versionId);
  } catch (error: unknown) {
    return {
      ...base,
      status: 'missing',
      actualSha256: null,
      detail: `${errorName(error)}: ${errorMessage(error)}`,
    };
  }
  return actual === entry.sha256
    ? { ...base, status: 'match', actualSha256: actual, detail: null }
    : {
        ...base,
        status: 'mismatch',
        actualSha256: actual,
        detail: `hashes to ${actual}, sealed as ${entry.sha256}`,
      };
}

async function hashOf(s3: S3Client, bucket: string, key: string, versionId: string): Promise<string> {
  return (await hashVersion(s3, bucket, key, versionId)).sha256;
}
