import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type ObjectLockRetentionMode,
  type PublicAccessBlockConfiguration,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
  type ServerSideEncryptionByDefault,
} from '@aws-sdk/client-s3';
import { httpStatus, isAwsError } from '../aws-errors.js';
import { ResourceSetupError } from '../errors.js';
import { bucketLocation } from '../s3-location.js';
import type { Changes } from './changes.js';

/** How evidence is kept: Object Lock retention, and the KMS key for SSE-KMS (AES256 without one). */
export interface EvidenceBucketSettings {
  readonly lockMode: ObjectLockRetentionMode;
  readonly retentionDays: number;
  readonly kmsKeyId?: string | undefined;
}

const BLOCK_ALL_PUBLIC_ACCESS: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** S3's naming rules, checked before any call so the error names the bucket instead of a 400. */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name)
  );
}

/**
 * Ensures the evidence bucket: created with Object Lock (which turns versioning on), then its default
 * retention, public access block and default encryption converged to `settings`.
 */
export async function ensureEvidenceBucket(
  s3: S3Client,
  bucketName: string,
  settings: EvidenceBucketSettings,
  changes: Changes,
): Promise<void> {
  if (!isValidBucketName(bucketName)) {
    throw new ResourceSetupError(`not a valid S3 bucket name: ${bucketName}`, { context: { bucketName } });
  }
  if (!(await bucketExists(s3, bucketName))) {
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucketName,
          ObjectLockEnabledForBucket: true,
          ...bucketLocation(await s3.config.region()),
        }),
      );
      changes.created.push(`s3:${bucketName}`);
    } catch (error: unknown) {
      if (!isAwsError(error, 'BucketAlreadyOwnedByYou')) throw error;
    }
  }
  await ensureVersioning(s3, bucketName, changes);
  await ensureObjectLock(s3, bucketName, settings, changes);
  await ensurePublicAccessBlock(s3, bucketName, changes);
  await ensureEncryption(s3, bucketName, settings.kmsKeyId, changes);
}

async function bucketExists(s3: S3Client, bucketName: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucketName }));
    return true;
  } catch (error: unknown) {
    if (httpStatus(error) === 404 || isAwsError(error, 'NotFound', 'NoSuchBucket')) return false;
    if (httpStatus(error) === 403) {
      throw new ResourceSetupError(`bucket ${bucketName} exists and belongs to another account`, {
        cause: error,
        context: { bucketName },
      });
    }
    throw error;
  }
}

async function ensureVersioning(s3: S3Client, bucketName: string, changes: Changes): Promise<void> {
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucketName }));
  if (Status === 'Enabled') return;
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  changes.updated.push(`s3:${bucketName}(versioning)`);
}

async function ensureObjectLock(
  s3: S3Client,
  bucketName: string,
  { lockMode, retentionDays }: EvidenceBucketSettings,
  changes: Changes,
): Promise<void> {
  const actual = await unlessMissing(
    s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucketName })),
    'ObjectLockConfigurationNotFoundError',
  ).then((output) => output?.ObjectLockConfiguration);
  const retention = actual?.Rule?.DefaultRetention;
  if (
    actual?.ObjectLockEnabled === 'Enabled' &&
    retention?.Mode === lockMode &&
    retention.Days === retentionDays &&
    // moto reports an unset period as 0 rather than leaving it out.
    !retention.Years
  ) {
    return;
  }
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucketName,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: lockMode, Days: retentionDays } },
      },
    }),
  );
  changes.updated.push(`s3:${bucketName}(object-lock)`);
}

async function ensurePublicAccessBlock(s3: S3Client, bucketName: string, changes: Changes): Promise<void> {
  const actual = await unlessMissing(
    s3.send(new GetPublicAccessBlockCommand({ Bucket: bucketName })),
    'NoSuchPublicAccessBlockConfiguration',
  ).then((output) => output?.PublicAccessBlockConfiguration);
  const keys = Object.keys(BLOCK_ALL_PUBLIC_ACCESS) as (keyof PublicAccessBlockConfiguration)[];
  if (actual && keys.every((key) => actual[key] === true)) return;
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucketName,
      PublicAccessBlockConfiguration: BLOCK_ALL_PUBLIC_ACCESS,
    }),
  );
  changes.updated.push(`s3:${bucketName}(public-access-block)`);
}

async function ensureEncryption(
  s3: S3Client,
  bucketName: string,
  kmsKeyId: string | undefined,
  changes: Changes,
): Promise<void> {
  const desired: ServerSideEncryptionByDefault = kmsKeyId
    ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyId }
    : { SSEAlgorithm: 'AES256' };
  const actual = await unlessMissing(
    s3.send(new GetBucketEncryptionCommand({ Bucket: bucketName })),
    'ServerSideEncryptionConfigurationNotFoundError',
  ).then(
    (output) => output?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
  );
  if (actual?.SSEAlgorithm === desired.SSEAlgorithm && actual?.KMSMasterKeyID === desired.KMSMasterKeyID)
    return;
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucketName,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: desired, BucketKeyEnabled: Boolean(kmsKeyId) }],
      },
    }),
  );
  changes.updated.push(`s3:${bucketName}(encryption)`);
}

/** The call's output, or undefined when S3 answers that the setting was never made (`missingError`). */
async function unlessMissing<T>(call: Promise<T>, missingError: string): Promise<T | undefined> {
  try {
    return await call;
  } catch (error: unknown) {
    if (isAwsError(error, missingError)) return undefined;
    throw error;
  }
}
