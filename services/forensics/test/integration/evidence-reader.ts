import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Every object version under an incident, read back from the emulator. */
export async function incidentVersions(s3: S3Client, bucket: string, incidentId: string) {
  const output = await s3.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `incidents/${incidentId}/` }),
  );
  return (output.Versions ?? []).map((v) => ({ key: v.Key ?? '', versionId: v.VersionId ?? '' }));
}

/** The bytes of one version and their SHA-256, hashed by the test itself. */
export async function hashVersion(s3: S3Client, bucket: string, key: string, versionId: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
  return createHash('sha256').update(bytes).digest('hex');
}

/** Object Lock retention of one version (HeadObject: moto's GetObjectRetention returns the body). */
export async function retentionOf(s3: S3Client, bucket: string, key: string, versionId: string) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return { mode: head.ObjectLockMode, until: head.ObjectLockRetainUntilDate };
}

/** An object's JSON, latest version. */
export async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
}
