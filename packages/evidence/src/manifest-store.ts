import type { S3Client } from '@aws-sdk/client-s3';
import { sha256 } from './hash.js';
import { manifestPrefix, parseManifestKey } from './keys.js';
import { listVersions, type ObjectVersion, readVersion, versionsByKey } from './s3-versions.js';
import { EvidenceManifest } from './manifest.js';

/** A manifest object in the bucket: its key, sequence, and every version S3 holds (oldest first). */
export interface StoredManifest {
  readonly key: string;
  readonly sequence: number;
  readonly stepId: string;
  readonly versions: readonly ObjectVersion[];
}

/** Every manifest of an incident, by sequence. */
export async function listManifests(
  s3: S3Client,
  bucket: string,
  incidentId: string,
): Promise<StoredManifest[]> {
  const byKey = versionsByKey(await listVersions(s3, bucket, manifestPrefix(incidentId)));
  const manifests: StoredManifest[] = [];
  for (const [key, versions] of byKey) {
    const parsed = parseManifestKey(incidentId, key);
    if (parsed) manifests.push({ key, ...parsed, versions });
  }
  return manifests.sort((a, b) => a.sequence - b.sequence);
}

/**
 * A manifest as sealed (its first version): parsed, with the SHA-256 of its bytes and the JSON as
 * stored (`raw`: what its signature covers, fields the schema does not know included).
 */
export async function readSealedManifest(s3: S3Client, bucket: string, manifest: StoredManifest) {
  const first = manifest.versions[0];
  if (!first) throw new Error(`manifest ${manifest.key} has no version`);
  const bytes = await readVersion(s3, bucket, manifest.key, first.versionId);
  const raw: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
  const document = EvidenceManifest.parse(raw);
  return {
    document,
    raw: raw as Record<string, unknown>,
    versionId: first.versionId,
    sha256: sha256(bytes).hex,
  };
}
