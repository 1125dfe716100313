import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** One stored version of an object. */
export interface ObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly isLatest: boolean;
}

/**
 * Every version of every object under `prefix` (delete markers excluded), oldest first per key.
 * Why versions and not objects: evidence is named by version; a later version of a key is either a
 * mistake or tampering, and the sealed one must still be found.
 */
export async function listVersions(s3: S3Client, bucket: string, prefix: string): Promise<ObjectVersion[]> {
  const versions: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
      }),
    );
    for (const version of page.Versions ?? []) {
      if (!version.Key || !version.VersionId) continue;
      versions.push({
        key: version.Key,
        versionId: version.VersionId,
        size: version.Size ?? 0,
        lastModified: version.LastModified ?? new Date(0),
        isLatest: version.IsLatest ?? false,
      });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return versions.sort(
    (a, b) => a.key.localeCompare(b.key) || a.lastModified.getTime() - b.lastModified.getTime(),
  );
}

/** The versions of each key, oldest first. */
export function versionsByKey(versions: readonly ObjectVersion[]): Map<string, ObjectVersion[]> {
  const byKey = new Map<string, ObjectVersion[]>();
  for (const version of versions) {
    const list = byKey.get(version.key) ?? [];
    list.push(version);
    byKey.set(version.key, list);
  }
  return byKey;
}

/** The bytes of one version, read in full (artifacts are JSON and command output, not disk images). */
export async function readVersion(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<Uint8Array> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  if (!output.Body) throw new Error(`s3://${bucket}/${key}?versionId=${versionId} returned no body`);
  return output.Body.transformToByteArray();
}

/**
 * SHA-256 and length of one version, streamed. Why streamed: a memory image is several GiB; sealing
 * and verifying must not hold it in memory.
 */
export async function hashVersion(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<{ sha256: string; size: number }> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  if (!output.Body) throw new Error(`s3://${bucket}/${key}?versionId=${versionId} returned no body`);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of output.Body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

/** HeadObject of one version with its checksum, retention and metadata. */
export function headVersion(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<HeadObjectCommandOutput> {
  return s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }),
  );
}
