import {
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  PutObjectLegalHoldCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type StepHandler, errorName, succeeded } from '@ir/runtime';
import { EvidenceConflictError, EvidenceIntegrityError, StepRefusedError } from '../errors.js';
import type { ActionDeps } from './types.js';

/** The copy of the object's bytes, under the step's prefix. */
export const S3_OBJECT_COPY = 's3-object.bin';
/** Where the copy came from and what it hashes to; the isolator's delete looks for it (evidence first). */
export const S3_OBJECT_RECORD = 's3-object.json';

/**
 * Largest object copied. Why a cap: the evidence store hashes and uploads from memory, and a task has a
 * few GiB at most. Above it the step fails and says so; a person copies the object by hand.
 */
export const S3_OBJECT_MAX_BYTES = 512 * 1024 * 1024;

/** Errors S3 answers for a key or version that is not there. */
const ABSENT = ['NoSuchKey', 'NoSuchVersion', 'NotFound', 'NoSuchBucket'];

/**
 * evidence.s3-object: copies one object version (a malware finding's) into the evidence bucket.
 * The bytes are read from the source account and written by the evidence store, so they are hashed
 * here (TRAPS 12: GuardDuty's hash and S3's ETag are recorded beside ours, never used in its place),
 * uploaded with that checksum, retention and SSE, and then put under a legal hold that is read back.
 * Why get + put rather than CopyObject: the source is in a member account and the evidence bucket in
 * ours, under another KMS key; one role cannot read the one and write the other in a single call.
 * A repeat keeps the first copy (the store never overwrites) and sets the hold again.
 */
export function s3Object(deps: ActionDeps): StepHandler<'evidence.s3-object'> {
  return async ({ bucketName, key, versionId }, context) => {
    const { stepId, target, incidentId } = context;
    const source = await context.client(S3Client);
    const Bucket = bucketName;
    const VersionId = versionId;
    let head: HeadObjectCommandOutput;
    try {
      head = await source.send(new HeadObjectCommand({ Bucket, Key: key, VersionId }));
    } catch (error: unknown) {
      if (!ABSENT.includes(errorName(error))) throw error;
      throw new StepRefusedError(
        `s3://${bucketName}/${key}${versionId ? ` version ${versionId}` : ''} is not there (${errorName(error)}): nothing to copy`,
        'source-object-missing',
        { cause: error },
      );
    }
    const size = head.ContentLength ?? 0;
    if (size > S3_OBJECT_MAX_BYTES) {
      throw new StepRefusedError(
        `s3://${bucketName}/${key} is ${size} bytes, above the ${S3_OBJECT_MAX_BYTES} this step copies: copy it by hand`,
        'source-object-too-large',
      );
    }
    const copyKey = deps.store.keyOf({ incidentId, stepId, name: S3_OBJECT_COPY });
    const recordKey = deps.store.keyOf({ incidentId, stepId, name: S3_OBJECT_RECORD });
    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        bucketName,
        key,
        versionId: head.VersionId ?? versionId ?? null,
        size,
        wouldWrite: [copyKey, recordKey],
        wouldHold: [copyKey],
      });
    }

    // The version read is pinned, so the bytes are those of the version named (or headed).
    const pinned = versionId ?? head.VersionId;
    const object = await source.send(
      new GetObjectCommand({ Bucket, Key: key, ...(pinned ? { VersionId: pinned } : {}) }),
    );
    const bytes = await object.Body?.transformToByteArray();
    if (!bytes) throw new EvidenceIntegrityError(`s3://${bucketName}/${key} returned no body`);
    if (object.ETag !== head.ETag) {
      // Unversioned buckets only: the object changed between the head and the get. Try again.
      throw new EvidenceConflictError(`s3://${bucketName}/${key} changed while it was copied`);
    }
    const artifact = await deps.store.put({
      incidentId,
      stepId,
      action: context.action,
      name: S3_OBJECT_COPY,
      contentType: 'application/octet-stream',
      sourceAccount: target.accountId,
      body: bytes,
    });

    // The hold does not expire (retention does): the copy stays until a person lifts it.
    const evidence = await deps.aws.client(S3Client);
    const holdOf = { Bucket: deps.store.bucket, Key: artifact.key, VersionId: artifact.versionId };
    await evidence.send(new PutObjectLegalHoldCommand({ ...holdOf, LegalHold: { Status: 'ON' } }));
    const hold = (await evidence.send(new GetObjectLegalHoldCommand(holdOf))).LegalHold?.Status;
    if (hold !== 'ON') {
      throw new StepRefusedError(
        `s3://${deps.store.bucket}/${artifact.key} has legal hold ${hold ?? 'none'} after setting it ON: enable Object Lock on the evidence bucket`,
        'evidence-not-held',
      );
    }

    const record = await deps.store.put({
      incidentId,
      stepId,
      action: context.action,
      name: S3_OBJECT_RECORD,
      contentType: 'application/json',
      sourceAccount: target.accountId,
      body: JSON.stringify(
        {
          collectedAt: deps.now().toISOString(),
          target,
          source: {
            bucketName,
            key,
            // `null` is S3's own version id of an object in a bucket that never had versioning.
            versionId: object.VersionId ?? pinned ?? 'null',
            eTag: object.ETag ?? null,
            size: bytes.byteLength,
            contentType: object.ContentType ?? null,
            lastModified: object.LastModified?.toISOString() ?? null,
            serverSideEncryption: object.ServerSideEncryption ?? null,
            sseKmsKeyId: object.SSEKMSKeyId ?? null,
          },
          // Computed here, from the bytes read; the evidence copy was uploaded with this checksum.
          sha256: artifact.sha256,
          copy: { bucket: deps.store.bucket, key: artifact.key, versionId: artifact.versionId },
          legalHold: hold,
        },
        null,
        2,
      ),
    });
    context.logger.info({ bucketName, sha256: artifact.sha256 }, 's3_object_copied');
    return succeeded({
      bucketName,
      key,
      versionId: object.VersionId ?? pinned ?? 'null',
      sha256: artifact.sha256,
      size: bytes.byteLength,
      legalHold: hold,
      copy: artifact,
      record,
    });
  };
}
