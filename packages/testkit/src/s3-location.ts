import type { BucketLocationConstraint, CreateBucketConfiguration } from '@aws-sdk/client-s3';

/** CreateBucket's location argument: none in us-east-1 (which rejects an explicit one), else the region. */
export function bucketLocation(region: string): { CreateBucketConfiguration?: CreateBucketConfiguration } {
  return region === 'us-east-1'
    ? {}
    : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
}
