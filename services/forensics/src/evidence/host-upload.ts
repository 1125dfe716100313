import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectRetentionCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { hashVersion, headVersion, listVersions } from '@ir/evidence';
import { errorName } from '@ir/runtime';
import { EvidenceIntegrityError } from '../errors.js';
import {
  type ArtifactInput,
  type EvidenceStore,
  type EvidenceStoreSettings,
  lockOf,
  protectionFor,
  type StoredArtifact,
} from './evidence-store.js';

/** S3's multipart limits: parts of 5 MiB to 5 GiB, at most 10,000 of them. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** One artifact a host uploads itself (a memory image), before the upload starts. */
export interface HostUploadInput extends Omit<ArtifactInput, 'body'> {
  /** What the host says the bytes hash to; checked by this service after the upload, never trusted. */
  readonly claimedSha256: string;
  readonly size: number;
  readonly partBytes: number;
}

/** An upload in progress: where each part goes. URLs are credentials: never log or store them. */
export interface HostUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly parts: ReadonlyArray<{
    readonly partNumber: number;
    readonly offset: number;
    readonly length: number;
  }>;
  presign(partNumber: number): Promise<string>;
  /** Completes the upload, re-reads the object and hashes it here; the host's claim must match. */
  complete(etags: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<HostUploadResult>;
  abort(): Promise<void>;
}

/** The stored artifact and how the service's own hash compared with the host's claim. */
export interface HostUploadResult {
  readonly artifact: StoredArtifact;
  readonly claimedSha256: string;
  readonly hashMatchesClaim: boolean;
}

/**
 * Starts a multipart upload straight into the evidence key, with the retention, encryption and
 * metadata every artifact has, for a host to send the parts through presigned URLs (one per part,
 * valid `expiresSeconds`). Why presigned parts: the suspect host gets no credentials, only the right
 * to put those bytes at that one key for a few minutes; and why straight to the evidence key: the
 * bucket locks everything by default, so a staging copy could never be cleaned up. The host's hash is
 * recorded as `ir-host-sha256`, never as `ir-sha256`: only {@link HostUpload.complete}, which re-reads
 * and hashes the stored bytes here, says what they hash to, and the seal lists the object by that hash
 * (with a warning when the host's claim differs). Returns the stored artifact instead (hashed again)
 * when an earlier run already completed it.
 */
export async function startHostUpload(
  s3: S3Client,
  store: Pick<EvidenceStore, 'bucket' | 'keyOf'>,
  settings: Pick<EvidenceStoreSettings, 'lockMode' | 'retentionDays' | 'kmsKeyId' | 'collector' | 'now'>,
  input: HostUploadInput,
  expiresSeconds: number,
): Promise<HostUpload | { existing: StoredArtifact }> {
  const bucket = store.bucket;
  const key = store.keyOf(input);
  const earlier = (await listVersions(s3, bucket, key)).find((version) => version.key === key);
  if (earlier) {
    const head = await headVersion(s3, bucket, key, earlier.versionId);
    const actual = await hashVersion(s3, bucket, key, earlier.versionId);
    return {
      existing: {
        key,
        versionId: earlier.versionId,
        size: actual.size,
        sha256: actual.sha256,
        reused: true,
        ...lockOf(settings, bucket, key, head),
      },
    };
  }
  const parts = planParts(input.size, input.partBytes);
  const protection = await protectionFor(settings, input, { hostSha256: input.claimedSha256 });
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ContentType: input.contentType,
      ...protection,
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload for ${key} returned no upload id`);
  return {
    key,
    uploadId,
    parts,
    presign: (partNumber) =>
      getSignedUrl(
        s3,
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
        {
          expiresIn: expiresSeconds,
        },
      ),
    async complete(etags) {
      const sorted = [...etags].sort((a, b) => a.partNumber - b.partNumber);
      const output = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
      const versionId = output.VersionId;
      if (!versionId) throw new Error(`CompleteMultipartUpload for ${key} returned no version id`);
      const head = await ensureRetention(s3, bucket, key, versionId, protection);
      const actual = await hashVersion(s3, bucket, key, versionId);
      if (actual.size !== input.size) {
        throw new EvidenceIntegrityError(
          `s3://${bucket}/${key} version ${versionId} holds ${actual.size} bytes, but the host captured ${input.size}`,
        );
      }
      return {
        artifact: {
          key,
          versionId,
          size: actual.size,
          sha256: actual.sha256,
          reused: false,
          ...lockOf(settings, bucket, key, head),
        },
        claimedSha256: input.claimedSha256,
        hashMatchesClaim: actual.sha256 === input.claimedSha256,
      };
    },
    async abort() {
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch((error: unknown) => {
          if (errorName(error) !== 'NoSuchUpload') throw error;
        });
    },
  };
}

/**
 * The completed object's HeadObject, with the retention asked for at CreateMultipartUpload. Why check
 * and set it: an unlocked object is not evidence we can stand behind, and not every S3 implementation
 * carries the lock headers of CreateMultipartUpload through to the object (moto does not).
 * PutObjectRetention may only lengthen retention, so this never weakens a lock.
 */
async function ensureRetention(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string,
  protection: { ObjectLockMode: 'COMPLIANCE' | 'GOVERNANCE'; ObjectLockRetainUntilDate: Date },
) {
  const head = await headVersion(s3, bucket, key, versionId);
  const until = head.ObjectLockRetainUntilDate?.getTime() ?? 0;
  if (head.ObjectLockMode && until >= protection.ObjectLockRetainUntilDate.getTime()) return head;
  await s3.send(
    new PutObjectRetentionCommand({
      Bucket: bucket,
      Key: key,
      VersionId: versionId,
      Retention: { Mode: protection.ObjectLockMode, RetainUntilDate: protection.ObjectLockRetainUntilDate },
    }),
  );
  return headVersion(s3, bucket, key, versionId);
}

/**
 * Splits `size` bytes into parts of `partBytes` (a multiple of 1 MiB, so the host can cut them with
 * `dd bs=1M`), growing the part size when 10,000 parts would not hold the image.
 */
export function planParts(
  size: number,
  partBytes: number,
): Array<{ partNumber: number; offset: number; length: number }> {
  const mib = 1024 * 1024;
  let part = Math.max(MIN_PART_BYTES, Math.ceil(partBytes / mib) * mib);
  while (Math.ceil(size / part) > MAX_PARTS) part *= 2;
  const parts: Array<{ partNumber: number; offset: number; length: number }> = [];
  for (let offset = 0, partNumber = 1; offset < size || partNumber === 1; offset += part, partNumber += 1) {
    parts.push({ partNumber, offset, length: Math.min(part, size - offset) });
    if (size === 0) break;
  }
  return parts;
}
