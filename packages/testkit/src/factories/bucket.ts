import {
  CreateBucketCommand,
  type PublicAccessBlockConfiguration,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { bucketLocation } from '../s3-location.js';
import { tagList, uniqueName } from './names.js';

export interface CreateBucketOptions {
  readonly s3: S3Client;
  readonly name?: string;
  /** Bucket policy, as a document or its JSON. */
  readonly policy?: string | object;
  /** Public access block to set; none by default (a bucket containment may have to lock down). */
  readonly publicAccessBlock?: PublicAccessBlockConfiguration;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreatedBucket {
  readonly bucketName: string;
  readonly arn: string;
}

/** An S3 bucket in the client's region. */
export async function createBucket(options: CreateBucketOptions): Promise<CreatedBucket> {
  const { s3, policy, publicAccessBlock, tags } = options;
  const bucketName = options.name ?? uniqueName('ir-test-bucket');
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucketName,
      ...bucketLocation(await s3.config.region()),
    }),
  );
  if (publicAccessBlock) {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucketName,
        PublicAccessBlockConfiguration: publicAccessBlock,
      }),
    );
  }
  if (policy !== undefined) {
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucketName,
        Policy: typeof policy === 'string' ? policy : JSON.stringify(policy),
      }),
    );
  }
  if (tags)
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucketName, Tagging: { TagSet: tagList(tags) } }));
  return { bucketName, arn: `arn:aws:s3:::${bucketName}` };
}
