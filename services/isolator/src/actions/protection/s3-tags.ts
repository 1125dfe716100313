import { GetBucketTaggingCommand, GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import type { StepContext } from '@ir/runtime';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import { parsePolicy, readPolicy } from '../s3/bucket.js';
import { objectStatementSid } from '../s3/object.js';
import type { ResourceTags } from './gate.js';

type Client = StepContext['client'];

/** A bucket's tags (GetBucketTagging; a bucket without tags answers `NoSuchTagSet`: none). */
export async function bucketTags(client: Client, bucketName: string): Promise<ResourceTags[]> {
  const s3 = await client(S3Client);
  try {
    const output = await s3.send(new GetBucketTaggingCommand({ Bucket: bucketName }));
    return [{ key: `s3-bucket:${bucketName}`, tags: tagMap(output.TagSet) }];
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchTagSet')) return [{ key: `s3-bucket:${bucketName}`, tags: {} }];
    if (hasErrorCode(error, 'NoSuchBucket')) {
      throw new ResourceNotFoundError(`bucket ${bucketName} not found`, { bucketName });
    }
    throw error;
  }
}

/**
 * An object's bucket (whose policy the quarantine changes) and the object version itself
 * (GetObjectTagging). An object that is gone is the handler's to report.
 *
 * A refused object read (403) fails the step as unreadable, with one exception: the key is under
 * this incident's own read quarantine (`contain.s3-object`'s deny statement, whose Sid names the
 * incident and key). That step's gate read the object's tags live before it denied reads, and its
 * statement exempts the isolator's role in AWS, so there this branch is not taken; an emulator that
 * ignores the statement's condition (moto 5.2.5 treats every GET of a key as s3:GetObject and denies
 * it to every caller) refuses the read, and the step then relies on that earlier read and on the
 * bucket's tags. Every step on the object after its quarantine is held for a person anyway.
 */
export async function objectTags(
  client: Client,
  params: { bucketName: string; key: string; versionId?: string | undefined },
  incidentId: string,
): Promise<ResourceTags[]> {
  const bucket = await bucketTags(client, params.bucketName);
  const s3 = await client(S3Client);
  const key = `s3-object:${params.bucketName}/${params.key}${params.versionId ? `#${params.versionId}` : ''}`;
  try {
    const output = await s3.send(
      new GetObjectTaggingCommand({
        Bucket: params.bucketName,
        Key: params.key,
        ...(params.versionId ? { VersionId: params.versionId } : {}),
      }),
    );
    return [...bucket, { key, tags: tagMap(output.TagSet) }];
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchKey', 'NoSuchVersion', 'NotFound')) {
      throw new ResourceNotFoundError(`object ${params.key} not found in bucket ${params.bucketName}`, {
        bucketName: params.bucketName,
        key: params.key,
      });
    }
    if (!refused(error)) throw error;
    if (await underOwnQuarantine(s3, params, incidentId)) return bucket;
    // The gate turns a refusal into ProtectionUnreadableError, naming the action.
    throw Object.assign(new Error(`GetObjectTagging of ${key} was refused (HTTP 403)`), {
      name: 'AccessDenied',
    });
  }
}

/** A 403: AccessDenied with its code, or without a body (S3 answers HEAD-like refusals so). */
function refused(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return hasErrorCode(error, 'AccessDenied') || status === 403;
}

/** Whether the bucket policy holds this incident's own read quarantine of the key. */
async function underOwnQuarantine(
  s3: S3Client,
  params: { bucketName: string; key: string },
  incidentId: string,
): Promise<boolean> {
  const sid = objectStatementSid(incidentId, params.bucketName, params.key);
  const policy = parsePolicy(await readPolicy(s3, params.bucketName));
  return policy.Statement.some((statement) => statement.Sid === sid && statement.Effect === 'Deny');
}
