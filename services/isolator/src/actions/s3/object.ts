import { createHash } from 'node:crypto';
import {
  DeleteBucketPolicyCommand,
  DeleteObjectTaggingCommand,
  GetObjectTaggingCommand,
  PutBucketPolicyCommand,
  PutObjectTaggingCommand,
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
import { parsePreState } from '../pre-state.js';
import { exemptPrincipals, parsePolicy, readPolicy, type Statement } from './bucket.js';

/** The tag that marks a quarantined object, valued with the incident id. */
export const ObjectTag = { quarantinedBy: 'ir:quarantined-by' } as const;

/** S3 allows ten tags on an object. */
const MAX_OBJECT_TAGS = 10;

/** What `contain.s3-object` changes, recorded for its rollback. */
export const S3ObjectPreState = z.object({
  bucketName: z.string().min(1),
  key: z.string().min(1),
  /** The version tagged (`null` in a bucket that never had versioning). */
  versionId: z.string().min(1).nullable(),
  /**
   * The Sid of our deny statement: the rollback removes that statement and no other. Null for a
   * tag-only step (`denyReads: false`), whose rollback leaves any deny another step added alone.
   */
  statementSid: z
    .string()
    .regex(/^[A-Za-z0-9]+$/)
    .nullable(),
  /** The object's tags before ours; null when it had ten already, so we could not add one. */
  tags: z.record(z.string(), z.string()).nullable(),
});
/** @see S3ObjectPreState */
export type S3ObjectPreState = z.infer<typeof S3ObjectPreState>;

/** Errors S3 answers for a key or version that is not there. */
export const ABSENT_OBJECT = ['NoSuchKey', 'NoSuchVersion', 'NotFound', 'NoSuchBucket'];

/**
 * The Sid of the deny statement for one object under one incident: `IrDenyMaliciousObject`, the
 * incident id's letters and digits, and 12 hex digits of the object's bucket and key (a Sid is
 * alphanumeric, and a key is not). Why per object: two objects of one incident get two statements, and
 * each rollback removes its own.
 */
export function objectStatementSid(incidentId: string, bucketName: string, key: string): string {
  const digest = createHash('sha256').update(`${bucketName}/${key}`).digest('hex').slice(0, 12);
  return `IrDenyMaliciousObject${incidentId.replace(/[^A-Za-z0-9]/g, '')}${digest}`;
}

/**
 * The object's ARN as a policy resource. A `*` or `?` in a key is a wildcard there and would widen the
 * deny to other keys; such keys are refused rather than denied too broadly or not at all.
 */
function objectArn(bucketName: string, key: string): string {
  if (/[*?]/.test(key)) {
    throw new ContainmentRefusedError(
      `key ${JSON.stringify(key)} has a policy wildcard (* or ?): a deny naming it would match other keys; quarantine it by hand`,
      { bucketName, key },
    );
  }
  return `arn:aws:s3:::${bucketName}/${key}`;
}

async function readTags(s3: S3Client, bucketName: string, key: string, versionId: string | undefined) {
  try {
    const output = await s3.send(
      new GetObjectTaggingCommand({ Bucket: bucketName, Key: key, VersionId: versionId }),
    );
    const tags = Object.fromEntries((output.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    return { tags, versionId: output.VersionId ?? null };
  } catch (error: unknown) {
    if (!hasErrorCode(error, ...ABSENT_OBJECT)) throw error;
    const what = `s3://${bucketName}/${key}${versionId ? ` version ${versionId}` : ''}`;
    throw new ResourceNotFoundError(`${what} not found`, { bucketName, key, versionId });
  }
}

async function writeTags(
  s3: S3Client,
  target: { bucketName: string; key: string; versionId: string | null },
  tags: Record<string, string>,
) {
  const where = {
    Bucket: target.bucketName,
    Key: target.key,
    ...(target.versionId ? { VersionId: target.versionId } : {}),
  };
  const TagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (TagSet.length === 0) await s3.send(new DeleteObjectTaggingCommand(where));
  else await s3.send(new PutObjectTaggingCommand({ ...where, Tagging: { TagSet } }));
}

function without(tags: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([name]) => name !== key));
}

/** Writes the policy, or deletes it when no statement is left (S3 refuses an empty policy). */
async function writePolicy(s3: S3Client, bucketName: string, document: object, statements: Statement[]) {
  if (statements.length === 0) {
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucketName }));
    return;
  }
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucketName,
      Policy: JSON.stringify({ ...document, Statement: statements }),
    }),
  );
}

/**
 * `contain.s3-object`: quarantines one object (a malware finding). It adds one deny statement for
 * reads of exactly that key (`s3:GetObject*`, every version) for every principal but the allowed ones
 * (the command's, the configured ones and the isolator's own role), kept beside the bucket's existing
 * statements as `contain.s3-bucket` does, and tags the object version `ir:quarantined-by`. The pre-state
 * is the object's previous tags and the statement's Sid. A repeat finds its own statement and tag and
 * changes nothing; an object quarantined under another incident is refused.
 */
export function containS3Object(deps: ActionDeps): StepHandler<'contain.s3-object'> {
  return async ({ bucketName, key, versionId, allowPrincipalArns = [], denyReads = true }, context) => {
    const s3 = await context.client(S3Client);
    // A tag-only step names no ARN in a policy, so a key with a wildcard can still be tagged.
    const resource = denyReads ? objectArn(bucketName, key) : `arn:aws:s3:::${bucketName}/${key}`;
    const current = await readTags(s3, bucketName, key, versionId);
    const owner = current.tags[ObjectTag.quarantinedBy];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `s3://${bucketName}/${key} was quarantined under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { bucketName, key, owner },
      );
    }
    const previousTags = without(current.tags, ObjectTag.quarantinedBy);
    const canTag = owner !== undefined || Object.keys(previousTags).length < MAX_OBJECT_TAGS;
    const sid = objectStatementSid(context.incidentId, bucketName, key);
    const document = parsePolicy(await readPolicy(s3, bucketName));
    const ours = document.Statement.find((statement) => statement.Sid === sid);
    const others = document.Statement.filter((statement) => statement !== ours);
    const preState: S3ObjectPreState = {
      bucketName,
      key,
      versionId: current.versionId,
      statementSid: denyReads ? sid : null,
      tags: canTag ? previousTags : null,
    };
    const allowed = await exemptPrincipals(allowPrincipalArns, deps, context);
    const statement: Statement = {
      Sid: sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject*',
      Resource: resource,
      Condition: { StringNotLike: { 'aws:PrincipalArn': allowed } },
    };
    const tagPending = canTag && owner === undefined;
    const changes = [
      ...(ours || !denyReads
        ? []
        : [`add deny statement ${sid} on ${resource} (allowed: ${allowed.join(', ')})`]),
      ...(tagPending ? [`tag ${resource} ${ObjectTag.quarantinedBy}=${context.incidentId}`] : []),
    ];
    const skipped = canTag ? [] : [`not tagged: the object already has ${MAX_OBJECT_TAGS} tags`];
    if (context.dryRun) {
      return succeeded({ bucketName, key, dryRun: true, wouldChange: changes, skipped }, { preState });
    }
    // The tag first, read back before the deny: the deny is on every `GetObject*` call for that key,
    // and although it excepts our own role, a read after it would depend on that exception holding.
    let tagsRead: Record<string, string> | undefined;
    if (tagPending) {
      await writeTags(s3, preState, { ...previousTags, [ObjectTag.quarantinedBy]: context.incidentId });
      tagsRead = (await readTags(s3, bucketName, key, current.versionId ?? undefined)).tags;
    }
    if (denyReads && !ours) await writePolicy(s3, bucketName, document, [...others, statement]);

    const policyRead = parsePolicy(await readPolicy(s3, bucketName));
    const readStatement = policyRead.Statement.find((s) => s.Sid === sid);
    const kept = policyRead.Statement.map((s) => JSON.stringify(s));
    const wrongDeny =
      readStatement !== undefined &&
      (readStatement.Effect !== 'Deny' ||
        JSON.stringify(readStatement.Resource) !== JSON.stringify(resource));
    const problems = [
      ...(readStatement || !denyReads ? [] : [`deny statement ${sid} missing`]),
      ...(wrongDeny ? [`deny statement ${sid} is not a deny on ${resource}`] : []),
      ...others
        .filter((s) => !kept.includes(JSON.stringify(s)))
        .map((s) => `statement ${String(s.Sid ?? '(no sid)')} lost`),
      ...(tagsRead && tagsRead[ObjectTag.quarantinedBy] !== context.incidentId
        ? [`tag ${ObjectTag.quarantinedBy} is ${tagsRead[ObjectTag.quarantinedBy] ?? 'missing'}`]
        : []),
    ];
    if (problems.length > 0) {
      throw new VerificationFailedError(`quarantine of s3://${bucketName}/${key}`, problems, {
        bucketName,
        key,
      });
    }
    context.logger.info({ bucketName, statementSid: preState.statementSid }, 's3_object_quarantined');
    return succeeded(
      {
        bucketName,
        key,
        versionId: current.versionId,
        statementSid: preState.statementSid,
        changes,
        skipped,
      },
      {
        preState,
        verified: {
          statement: readStatement ?? null,
          tags: tagsRead ?? (tagPending ? null : current.tags),
          previousStatementsKept: others.length,
        },
      },
    );
  };
}

/**
 * `rollback.s3-object`: removes our deny statement (only the one with the recorded Sid; the policy is
 * deleted when nothing else is left) and our tag. The object's other tags stay as they are now, which
 * is the recorded set unless someone changed them since; that is reported, not overwritten. An object
 * deleted since (with approval) has no tags to restore: the statement is still removed.
 */
export function rollbackS3Object(): StepHandler<'rollback.s3-object'> {
  return async (params, context) => {
    const preState = parsePreState(S3ObjectPreState, params.preState, 'rollback.s3-object');
    const { bucketName, key, statementSid: sid } = preState;
    const s3 = await context.client(S3Client);
    const document = parsePolicy(await readPolicy(s3, bucketName));
    const remaining = document.Statement.filter((statement) => sid === null || statement.Sid !== sid);
    const removeStatement = remaining.length !== document.Statement.length;
    const statementChange = removeStatement
      ? [
          remaining.length === 0
            ? 'delete the bucket policy (only our statement was left)'
            : `remove statement ${sid}`,
        ]
      : [];
    if (context.dryRun) {
      // The tags are read only once the deny is gone (reads of the key are what it denies).
      const tagChange = `remove tag ${ObjectTag.quarantinedBy} if it is still ${context.incidentId}`;
      return succeeded({ bucketName, key, dryRun: true, wouldChange: [...statementChange, tagChange] });
    }
    if (removeStatement) await writePolicy(s3, bucketName, document, remaining);
    const policyRead = parsePolicy(await readPolicy(s3, bucketName));
    const statementLeft = sid !== null && policyRead.Statement.some((s) => s.Sid === sid);
    if (statementLeft) {
      throw new VerificationFailedError(`rollback of the quarantine of s3://${bucketName}/${key}`, [
        `deny statement ${sid} still present`,
      ]);
    }

    let tags: Record<string, string> | undefined;
    try {
      tags = (await readTags(s3, bucketName, key, preState.versionId ?? undefined)).tags;
    } catch (error: unknown) {
      // Deleted since (with approval): nothing to restore, and the statement is already gone.
      if (!hasErrorCode(error, 'ResourceNotFoundError')) throw error;
    }
    const ours = tags?.[ObjectTag.quarantinedBy] === context.incidentId;
    const restored = tags ? without(tags, ObjectTag.quarantinedBy) : undefined;
    const changedSince =
      restored && preState.tags && JSON.stringify(sorted(restored)) !== JSON.stringify(sorted(preState.tags));
    const changes = [
      ...statementChange,
      ...(ours ? [`remove tag ${ObjectTag.quarantinedBy}`] : []),
      ...(tags ? [] : ['object version no longer exists: no tags to restore']),
      ...(changedSince ? ['the other tags changed since containment: kept as they are now'] : []),
    ];
    if (ours && restored) await writeTags(s3, preState, restored);
    const tagsRead = ours
      ? (await readTags(s3, bucketName, key, preState.versionId ?? undefined)).tags
      : tags;
    if (tagsRead?.[ObjectTag.quarantinedBy] === context.incidentId) {
      throw new VerificationFailedError(`rollback of the quarantine of s3://${bucketName}/${key}`, [
        `tag ${ObjectTag.quarantinedBy} still present`,
      ]);
    }
    context.logger.info({ bucketName, statementSid: sid }, 's3_object_quarantine_rolled_back');
    return succeeded(
      { bucketName, key, changes },
      { verified: { statements: policyRead.Statement.length, tags: tagsRead ?? null } },
    );
  };
}

function sorted(tags: Record<string, string>): [string, string][] {
  return Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
