import { GetBucketTaggingCommand, GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import type { StepContext } from '@ir/runtime';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
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
 */
export async function objectTags(
  client: Client,
  params: { bucketName: string; key: string; versionId?: string | undefined },
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
    throw error;
  }
}
