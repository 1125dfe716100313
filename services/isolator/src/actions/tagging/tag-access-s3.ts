import {
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { tagList, tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import type { TagAccess, TagClient } from './tag-access.js';

async function bucketTags(s3: S3Client, bucketName: string): Promise<Record<string, string>> {
  try {
    return tagMap((await s3.send(new GetBucketTaggingCommand({ Bucket: bucketName }))).TagSet);
  } catch (error: unknown) {
    // A bucket with no tags answers NoSuchTagSet, not an empty set.
    if (hasErrorCode(error, 'NoSuchTagSet')) return {};
    if (hasErrorCode(error, 'NoSuchBucket')) {
      throw new ResourceNotFoundError(`bucket ${bucketName} not found`, { bucketName });
    }
    throw error;
  }
}

/**
 * S3 has no "add tags" call: PutBucketTagging REPLACES the bucket's whole tag set, and a tag set
 * written from only our keys would delete every tag of the owner's (cost allocation, ownership, the
 * protected tag). So every write and removal reads the current set, changes only our keys, and writes
 * the whole set back; the caller reads it back afterwards. An empty result is DeleteBucketTagging
 * (PutBucketTagging refuses an empty set).
 */
export async function s3Bucket(client: TagClient, bucketName: string): Promise<TagAccess> {
  const s3 = await client(S3Client);
  const put = async (tags: Record<string, string>) => {
    if (Object.keys(tags).length === 0) {
      await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucketName }));
      return;
    }
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucketName, Tagging: { TagSet: tagList(tags) } }));
  };
  return bucketTags(s3, bucketName).then(() => ({
    where: `bucket ${bucketName}`,
    tagged: { bucketName },
    read: () => bucketTags(s3, bucketName),
    write: async (tags, dryRun) => {
      const current = await bucketTags(s3, bucketName);
      if (!dryRun) await put({ ...current, ...tags });
    },
    remove: async (keys) => {
      if (keys.length === 0) return;
      const current = await bucketTags(s3, bucketName);
      const kept = Object.fromEntries(Object.entries(current).filter(([key]) => !keys.includes(key)));
      await put(kept);
    },
  }));
}
