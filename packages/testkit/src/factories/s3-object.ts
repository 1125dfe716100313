import { PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createBucket } from './bucket.js';
import { uniqueName } from './names.js';

/** The EICAR antivirus test file: what a malware test stores (never real malware). */
export const EICAR_TEST_FILE = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface CreateS3ObjectOptions {
  readonly s3: S3Client;
  readonly bucketName?: string;
  readonly key?: string;
  /** The bytes of the version a finding names; EICAR by default. */
  readonly body?: string;
  /** Object tags of that version. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Bucket policy, as a document or its JSON. */
  readonly policy?: string | object;
  /** Versions put on top of it afterwards (a later, clean upload of the same key). */
  readonly laterBodies?: readonly string[];
}

export interface CreatedS3Object {
  readonly bucketName: string;
  readonly key: string;
  /** The version holding `body`. */
  readonly versionId: string;
  readonly eTag: string;
  readonly laterVersionIds: readonly string[];
}

/**
 * An object version in a new versioned bucket, as a GuardDuty S3 malware finding names one. Why
 * versioned: the finding names a version, and a delete of that version must leave the others.
 */
export async function createS3Object(options: CreateS3ObjectOptions): Promise<CreatedS3Object> {
  const { s3 } = options;
  const { bucketName } = await createBucket({
    s3,
    name: options.bucketName ?? uniqueName('ir-test-uploads'),
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
  });
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const key = options.key ?? 'incoming/invoice-2024-05.pdf';
  const tagging = new URLSearchParams(Object.entries(options.tags ?? {})).toString();
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: bucketName,
      Key: key,
      Body: options.body ?? EICAR_TEST_FILE,
      ...(tagging ? { Tagging: tagging } : {}),
    }),
  );
  const laterVersionIds: string[] = [];
  for (const body of options.laterBodies ?? []) {
    const later = await s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));
    laterVersionIds.push(later.VersionId ?? '');
  }
  return { bucketName, key, versionId: put.VersionId ?? '', eTag: put.ETag ?? '', laterVersionIds };
}
