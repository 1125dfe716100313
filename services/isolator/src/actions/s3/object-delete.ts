import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import {
  ContainmentRefusedError,
  hasErrorCode,
  ResourceNotFoundError,
  VerificationFailedError,
} from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { ABSENT_OBJECT } from './object.js';

/**
 * The record `evidence.s3-object` writes beside its copy (`s3-object.json`), as far as the delete
 * reads it. The forensics service owns the format (services/forensics/src/handlers/s3-object.ts).
 */
const EvidenceRecord = z.object({
  source: z.object({
    bucketName: z.string(),
    key: z.string(),
    versionId: z.string(),
    eTag: z.string().nullable(),
  }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  copy: z.object({ bucket: z.string(), key: z.string(), versionId: z.string() }),
});
type EvidenceRecord = z.infer<typeof EvidenceRecord>;

/** The record's file name, as forensics writes it. */
const RECORD_NAME = 's3-object.json';

/**
 * `incidents/<incidentId>/`, as `@ir/evidence`'s `incidentPrefix` builds it (the isolator does not
 * depend on the evidence package; the format is tested from both sides by the S3 malware tests).
 */
function incidentPrefix(incidentId: string): string {
  const safe = incidentId.replace(/[^A-Za-z0-9._=-]/g, '-');
  return `incidents/${safe === '.' || safe === '..' || safe === '' ? `-${safe}` : safe}/`;
}

/** One version of the source key, as S3 lists it. */
interface SourceVersion {
  readonly versionId: string;
  readonly eTag: string | undefined;
}

/**
 * The named version of the key (or its current one), from ListObjectVersions. Why a listing rather
 * than HeadObject: it needs no permission to read objects (`s3:ListBucketVersions` on the bucket
 * only), and it is not an object read that the quarantine's deny could refuse. A missing bucket is a
 * missing object.
 */
async function findVersion(
  s3: S3Client,
  bucketName: string,
  key: string,
  versionId: string | undefined,
): Promise<SourceVersion | undefined> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucketName, Prefix: key, KeyMarker, VersionIdMarker }),
      );
      const match = (page.Versions ?? []).find(
        (version) =>
          version.Key === key &&
          (versionId === undefined ? version.IsLatest === true : version.VersionId === versionId),
      );
      if (match) return { versionId: match.VersionId ?? 'null', eTag: match.ETag };
      // The current version of a key whose latest entry is a delete marker: there is none.
      if (versionId === undefined && (page.DeleteMarkers ?? []).some((m) => m.Key === key && m.IsLatest)) {
        return undefined;
      }
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchBucket')) return undefined;
    throw error;
  }
  return undefined;
}

/** The incident's evidence records of any version of this key, in the order S3 lists them. */
async function evidenceRecords(
  evidence: S3Client,
  bucket: string,
  incidentId: string,
  source: { bucketName: string; key: string },
): Promise<EvidenceRecord[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await evidence.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: incidentPrefix(incidentId), ContinuationToken }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key?.endsWith(`/${RECORD_NAME}`)) keys.push(item.Key);
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  const records: EvidenceRecord[] = [];
  for (const key of keys) {
    const body = await (await evidence.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
    const parsed = EvidenceRecord.safeParse(JSON.parse((await body?.transformToString()) ?? 'null'));
    if (!parsed.success) continue;
    const record = parsed.data;
    if (record.source.bucketName === source.bucketName && record.source.key === source.key) {
      records.push(record);
    }
  }
  return records;
}

/**
 * The incident's evidence copy of exactly this object version, checked: the copy is there with the
 * SHA-256 the record names and a legal hold on. Undefined when there is none (then nothing is deleted).
 */
async function findEvidence(
  evidence: S3Client,
  bucket: string,
  incidentId: string,
  source: { bucketName: string; key: string; versionId: string; eTag: string | undefined },
): Promise<{ record: EvidenceRecord; problems: string[] } | undefined> {
  const records = await evidenceRecords(evidence, bucket, incidentId, source);
  for (const record of records) {
    if (record.source.versionId !== source.versionId) continue;
    const problems: string[] = [];
    // An unversioned object can be overwritten in place: the bytes must still be the ones copied.
    if (source.versionId === 'null' && record.source.eTag !== (source.eTag ?? null)) {
      problems.push(`the object's ETag is ${source.eTag}, not the ${record.source.eTag} copied`);
    }
    let head: HeadObjectCommandOutput | undefined;
    try {
      head = await evidence.send(
        new HeadObjectCommand({ Bucket: bucket, Key: record.copy.key, VersionId: record.copy.versionId }),
      );
    } catch (error: unknown) {
      if (!hasErrorCode(error, ...ABSENT_OBJECT)) throw error;
      problems.push(`evidence copy s3://${bucket}/${record.copy.key} is missing`);
    }
    if (head && head.Metadata?.['ir-sha256'] !== record.sha256) {
      problems.push(
        `evidence copy has SHA-256 ${head.Metadata?.['ir-sha256'] ?? 'none'}, not ${record.sha256}`,
      );
    }
    if (head) {
      const hold = await evidence.send(
        new GetObjectLegalHoldCommand({
          Bucket: bucket,
          Key: record.copy.key,
          VersionId: record.copy.versionId,
        }),
      );
      if (hold.LegalHold?.Status !== 'ON') problems.push('evidence copy has no legal hold');
    }
    return { record, problems };
  }
  return undefined;
}

/**
 * A version of the key this incident's evidence holds a checked copy of, that no longer exists in the
 * bucket: what a run without a version deleted before its answer was lost. Undefined when there is none.
 */
async function deletedEvidenceVersion(
  s3: S3Client,
  evidence: S3Client,
  bucket: string,
  incidentId: string,
  bucketName: string,
  key: string,
): Promise<{ versionId: string; copy: EvidenceRecord['copy'] } | undefined> {
  const records = await evidenceRecords(evidence, bucket, incidentId, { bucketName, key });
  for (const record of records) {
    const { versionId } = record.source;
    if (await findVersion(s3, bucketName, key, versionId)) continue;
    // The ETag is compared for a version still there (overwritten in place); a gone one needs only
    // its copy intact, so the record's own ETag stands in.
    const checked = await findEvidence(evidence, bucket, incidentId, {
      ...record.source,
      eTag: record.source.eTag ?? undefined,
    });
    if (checked && checked.problems.length === 0) return { versionId, copy: record.copy };
  }
  return undefined;
}

/**
 * `contain.s3-object-delete`: deletes one version of a malicious object, for good. Irreversible, so
 * the playbook must ask for approval (the loader insists), and refused unless the incident's evidence
 * holds a checked copy of that very version (`evidence.s3-object`: same bucket, key and version, the
 * copy present with its SHA-256 and a legal hold). A version already gone, with its copy in evidence,
 * is success (a repeat after a lost answer, TRAPS 24); so is, for a command without a version, a
 * version the incident's evidence copied that is gone, rather than the key's new current version.
 * Read back: the version no longer exists.
 */
export function containS3ObjectDelete(deps: ActionDeps): StepHandler<'contain.s3-object-delete'> {
  return async ({ bucketName, key, versionId }, context) => {
    const bucket = deps.config.IR_EVIDENCE_BUCKET;
    if (!bucket) {
      throw new ContainmentRefusedError(
        'IR_EVIDENCE_BUCKET is not set, so the evidence copy cannot be checked: the object is not deleted (evidence first)',
        { bucketName, key },
      );
    }
    const s3 = await context.client(S3Client);
    const evidence = await deps.aws.client(S3Client);
    // Without a version, a repeat must not resolve "the current version" afresh (TRAPS 24): once the
    // first run deleted it, the current version is another one (or none), which was never asked for.
    // The version meant is the one this incident's evidence copied; when it is gone, it is done.
    const deleted = versionId
      ? undefined
      : await deletedEvidenceVersion(s3, evidence, bucket, context.incidentId, bucketName, key);
    if (deleted) {
      context.logger.info({ bucketName, versionId: deleted.versionId }, 's3_object_version_already_deleted');
      return succeeded({
        bucketName,
        key,
        versionId: deleted.versionId,
        alreadyDeleted: true,
        evidence: deleted.copy,
      });
    }
    const head = await findVersion(s3, bucketName, key, versionId);
    const resolved = versionId ?? head?.versionId ?? 'null';
    if (!head && !versionId) {
      throw new ResourceNotFoundError(`s3://${bucketName}/${key} not found`, { bucketName, key });
    }
    const found = await findEvidence(evidence, bucket, context.incidentId, {
      bucketName,
      key,
      versionId: resolved,
      eTag: head?.eTag,
    });
    if (!found || found.problems.length > 0) {
      throw new ContainmentRefusedError(
        `s3://${bucketName}/${key} version ${resolved} is not deleted: ${found ? found.problems.join('; ') : `no evidence copy of it under incident ${context.incidentId} in ${bucket}`} (run evidence.s3-object first)`,
        { bucketName, key, versionId: resolved },
      );
    }
    const copy = found.record.copy;
    if (!head) {
      return succeeded({ bucketName, key, versionId: resolved, alreadyDeleted: true, evidence: copy });
    }
    const change = `delete s3://${bucketName}/${key} version ${resolved} (copy: s3://${bucket}/${copy.key}, SHA-256 ${found.record.sha256})`;
    if (context.dryRun) {
      return succeeded({ bucketName, key, versionId: resolved, dryRun: true, wouldChange: [change] });
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucketName, Key: key, VersionId: resolved }));
    const after = await findVersion(s3, bucketName, key, resolved);
    if (after) {
      throw new VerificationFailedError(`deletion of s3://${bucketName}/${key}`, [
        `version ${resolved} still exists`,
      ]);
    }
    context.logger.info({ bucketName, versionId: resolved }, 's3_object_version_deleted');
    return succeeded(
      { bucketName, key, versionId: resolved, changes: [change], evidence: copy },
      { verified: { versionExists: false } },
    );
  };
}
