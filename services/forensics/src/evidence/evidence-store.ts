import { type HeadObjectCommandOutput, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { artifactKey, base64ToHex, headVersion, listVersions, readVersion, sha256 } from '@ir/evidence';
import { errorName } from '@ir/runtime';
import { EvidenceConflictError, EvidenceIntegrityError, StepRefusedError } from '../errors.js';

/** Object metadata every artifact carries, read back by the seal into the manifest. */
export const ArtifactMetadata = {
  sha256: 'ir-sha256',
  collector: 'ir-collector',
  collectedAt: 'ir-collected-at',
  action: 'ir-action',
  stepId: 'ir-step-id',
  sourceAccount: 'ir-source-account',
  /** On objects a host uploaded itself (memory images): what the host said they hash to. */
  hostSha256: 'ir-host-sha256',
} as const;

/** One artifact to store. */
export interface ArtifactInput {
  readonly incidentId: string;
  readonly stepId: string;
  /** The evidence action that produced it, e.g. `evidence.capture-instance`. */
  readonly action: string;
  /** File name under the step's prefix, e.g. `instance.json`. */
  readonly name: string;
  readonly body: string | Uint8Array;
  readonly contentType: string;
  /** The account the evidence was collected from. */
  readonly sourceAccount: string;
}

/** An artifact as S3 holds it, read back after writing. */
export interface StoredArtifact {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes, computed by this service. */
  readonly sha256: string;
  readonly lockMode: string;
  readonly retainUntil: string;
  /** True when an earlier run of the same step had already stored it (the first collection stands). */
  readonly reused: boolean;
}

/** Settings of {@link createEvidenceStore}. */
export interface EvidenceStoreSettings {
  /** S3 in our own account: evidence never stays only in the account that may be compromised. */
  readonly s3: S3Client;
  readonly bucket: string;
  readonly lockMode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly retentionDays: number;
  readonly kmsKeyId?: string | undefined;
  /** ARN of the identity the service runs as (STS GetCallerIdentity), recorded as collector. */
  readonly collector: () => Promise<string>;
  readonly now: () => Date;
}

/** Writes artifacts to the evidence bucket, once each, locked, with a checksum S3 checks. */
export interface EvidenceStore {
  readonly bucket: string;
  put(input: ArtifactInput): Promise<StoredArtifact>;
  /**
   * Writes bytes at an exact key, once. Unlike {@link EvidenceStore.put}, an existing object is a
   * conflict (retried), not a reuse: used for manifests, whose sequence another seal may have taken.
   */
  putAt(key: string, input: Omit<ArtifactInput, 'name'>): Promise<StoredArtifact>;
  /** An artifact already stored by an earlier run of the step (its first version), with its text. */
  read(
    input: Pick<ArtifactInput, 'incidentId' | 'stepId' | 'name'>,
  ): Promise<{ artifact: StoredArtifact; body: string } | undefined>;
  /** The key an artifact would have, for dry-run reports. */
  keyOf(input: Pick<ArtifactInput, 'incidentId' | 'stepId' | 'name'>): string;
}

/**
 * The evidence bucket. Each put hashes the bytes here, uploads with `x-amz-checksum-sha256`, SSE and
 * Object Lock retention, and `If-None-Match: *` so an artifact is never overwritten: a second run of
 * the same step keeps the first collection (collected earlier, so closer to the incident). Every write
 * is read back (HeadObject of that version): size, checksum and retention must be what we asked for.
 */
export function createEvidenceStore(settings: EvidenceStoreSettings): EvidenceStore {
  const { s3, bucket } = settings;
  const keyOf: EvidenceStore['keyOf'] = (input) => artifactKey(input.incidentId, input.stepId, input.name);

  const put = (input: ArtifactInput) => write(keyOf(input), input, 'reuse');
  const putAt = (key: string, input: Omit<ArtifactInput, 'name'>) => write(key, input, 'conflict');

  async function read(input: Pick<ArtifactInput, 'incidentId' | 'stepId' | 'name'>) {
    const key = keyOf(input);
    if (!(await listVersions(s3, bucket, key)).some((version) => version.key === key)) return undefined;
    const artifact = await existing(key);
    const bytes = await readVersion(s3, bucket, key, artifact.versionId);
    if (sha256(bytes).hex !== artifact.sha256) {
      throw new EvidenceIntegrityError(
        `s3://${bucket}/${key} version ${artifact.versionId} no longer matches its recorded SHA-256`,
      );
    }
    return { artifact, body: Buffer.from(bytes).toString('utf8') };
  }

  async function write(
    key: string,
    input: Omit<ArtifactInput, 'name'>,
    onExists: 'reuse' | 'conflict',
  ): Promise<StoredArtifact> {
    const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
    const hash = sha256(body);
    const protection = await protectionFor(settings, input, { sha256: hash.hex });
    let versionId: string | undefined;
    try {
      const output = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: input.contentType,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: hash.base64,
          IfNoneMatch: '*',
          ...protection,
        }),
      );
      versionId = output.VersionId;
    } catch (error: unknown) {
      if (errorName(error) === 'PreconditionFailed') {
        if (onExists === 'reuse') return existing(key);
        throw new EvidenceConflictError(`${key} already exists; another writer got there first`, {
          cause: error,
        });
      }
      if (errorName(error) === 'ConditionalRequestConflict') {
        throw new EvidenceConflictError(`another writer is storing ${key}`, { cause: error });
      }
      throw error;
    }
    if (!versionId) {
      throw new StepRefusedError(
        `bucket ${bucket} returned no version id for ${key}: versioning and Object Lock must be enabled on the evidence bucket`,
        'evidence-bucket-unversioned',
      );
    }
    const head = await headVersion(s3, bucket, key, versionId);
    const checksum = head.ChecksumSHA256;
    if (checksum && checksum !== hash.base64) {
      throw new EvidenceIntegrityError(
        `s3://${bucket}/${key} version ${versionId} has checksum ${base64ToHex(checksum)}, not the ${hash.hex} we computed`,
      );
    }
    if (head.ContentLength !== undefined && head.ContentLength !== body.byteLength) {
      throw new EvidenceIntegrityError(
        `s3://${bucket}/${key} version ${versionId} holds ${head.ContentLength} bytes, not ${body.byteLength}`,
      );
    }
    return {
      key,
      versionId,
      size: body.byteLength,
      sha256: hash.hex,
      reused: false,
      ...lockOf(settings, bucket, key, head),
    };
  }

  /** The first version of a key another run already stored, with the hash recorded when it was written. */
  async function existing(key: string): Promise<StoredArtifact> {
    const first = (await listVersions(s3, bucket, key)).find((version) => version.key === key);
    if (!first) throw new EvidenceConflictError(`${key} exists but has no version yet`);
    const head = await headVersion(s3, bucket, key, first.versionId);
    const recorded = head.Metadata?.[ArtifactMetadata.sha256];
    if (!recorded) {
      throw new EvidenceIntegrityError(
        `s3://${bucket}/${key} was not written by the forensics service (no ${ArtifactMetadata.sha256} metadata)`,
      );
    }
    return {
      key,
      versionId: first.versionId,
      size: head.ContentLength ?? first.size,
      sha256: recorded,
      reused: true,
      ...lockOf(settings, bucket, key, head),
    };
  }

  return { bucket, put, putAt, read, keyOf };
}

/**
 * What every evidence object is written with: Object Lock retention from now, SSE (KMS when
 * configured), and the metadata the seal reads back into the manifest.
 */
export async function protectionFor(
  settings: Pick<EvidenceStoreSettings, 'lockMode' | 'retentionDays' | 'kmsKeyId' | 'collector' | 'now'>,
  input: Pick<ArtifactInput, 'action' | 'stepId' | 'sourceAccount'>,
  hash: { readonly sha256: string } | { readonly hostSha256: string },
) {
  const now = settings.now();
  return {
    ObjectLockMode: settings.lockMode,
    ObjectLockRetainUntilDate: new Date(now.getTime() + settings.retentionDays * 86_400_000),
    ...(settings.kmsKeyId
      ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: settings.kmsKeyId }
      : { ServerSideEncryption: 'AES256' as const }),
    Metadata: {
      ...('sha256' in hash
        ? { [ArtifactMetadata.sha256]: hash.sha256 }
        : { [ArtifactMetadata.hostSha256]: hash.hostSha256 }),
      [ArtifactMetadata.collector]: await settings.collector(),
      [ArtifactMetadata.collectedAt]: now.toISOString(),
      [ArtifactMetadata.action]: input.action,
      [ArtifactMetadata.stepId]: input.stepId,
      [ArtifactMetadata.sourceAccount]: input.sourceAccount,
    },
  };
}

/** Retention as read back; an artifact without it is not evidence we can stand behind. */
export function lockOf(
  settings: Pick<EvidenceStoreSettings, 'now'>,
  bucket: string,
  key: string,
  head: HeadObjectCommandOutput,
): { lockMode: string; retainUntil: string } {
  const until = head.ObjectLockRetainUntilDate;
  if (!head.ObjectLockMode || !until || until.getTime() <= settings.now().getTime()) {
    throw new StepRefusedError(
      `s3://${bucket}/${key} has no Object Lock retention after upload: enable Object Lock on the evidence bucket`,
      'evidence-not-locked',
    );
  }
  return { lockMode: head.ObjectLockMode, retainUntil: until.toISOString() };
}
