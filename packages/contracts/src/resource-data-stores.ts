import { z } from 'zod';
import { ResourceRegion, Tags } from './resource-parts.js';

/*
 * Data stores a finding may name besides a whole bucket: an RDS database and one S3 object.
 */

/**
 * The database user of an RDS login finding (GuardDuty `rdsDbUserDetails`, or the first of
 * `rdsLoginAttemptAction.loginAttributes`).
 */
export const RdsDbUser = z.object({
  user: z.string().min(1),
  application: z.string().optional(),
  database: z.string().optional(),
  ssl: z.string().optional(),
  authMethod: z.string().optional(),
});
/** @see RdsDbUser */
export type RdsDbUser = z.infer<typeof RdsDbUser>;

/**
 * An RDS database: a DB instance (`rdsDbInstanceDetails`; `dbClusterIdentifier` too when it is an
 * Aurora cluster member), or an Aurora Limitless shard group (`rdsLimitlessDbDetails`: no instance,
 * a cluster and a shard group). Why one kind: containment snapshots and isolates the instance or the
 * cluster, whichever the finding names; `dbUser` is the login the finding is about.
 */
export const RdsDatabaseResource = z
  .object({
    kind: z.literal('rds-database'),
    dbInstanceIdentifier: z.string().min(1).optional(),
    dbInstanceArn: z.string().optional(),
    dbiResourceId: z.string().optional(),
    dbClusterIdentifier: z.string().min(1).optional(),
    dbShardGroupIdentifier: z.string().min(1).optional(),
    dbShardGroupArn: z.string().optional(),
    engine: z.string().optional(),
    engineVersion: z.string().optional(),
    dbUser: RdsDbUser.optional(),
    tags: Tags.default({}),
    region: ResourceRegion,
  })
  .refine(
    (db) =>
      db.dbInstanceIdentifier !== undefined ||
      db.dbClusterIdentifier !== undefined ||
      db.dbShardGroupIdentifier !== undefined,
    { message: 'needs dbInstanceIdentifier, dbClusterIdentifier or dbShardGroupIdentifier' },
  );
/** @see RdsDatabaseResource */
export type RdsDatabaseResource = z.infer<typeof RdsDatabaseResource>;

/**
 * One S3 object (GuardDuty Malware Protection for S3, `Object:S3/MaliciousFile`). `versionId` names
 * the exact version scanned (a later upload under the same key is another object). `hash` is
 * GuardDuty's `S3ObjectDetail.hash`, the hash of the threat it detected (a SHA-256; for a file that
 * is malicious as a whole, the file's own), kept to compare with the copy taken as evidence; `eTag`
 * is S3's. `tags` are the bucket's tags.
 */
export const S3ObjectResource = z.object({
  kind: z.literal('s3-object'),
  bucketName: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().optional(),
  eTag: z.string().optional(),
  hash: z.string().optional(),
  objectArn: z.string().optional(),
  bucketArn: z.string().optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see S3ObjectResource */
export type S3ObjectResource = z.infer<typeof S3ObjectResource>;
