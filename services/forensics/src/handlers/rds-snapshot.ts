import { createHash } from 'node:crypto';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { RdsTarget } from '@ir/contracts';
import { errorName, type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import { SnapshotKind, SnapshotTag } from '../snapshots/snapshot-tags.js';
import { putCollectedRecord } from './json-record.js';
import type { ActionDeps } from './types.js';

/** The tag naming the snapshot's database, `instance/<id>` or `cluster/<id>`. */
export const RDS_SOURCE_TAG = 'ir:source-database';

/** Between looks at a snapshot still `creating`: RDS snapshots take minutes, not seconds. */
const POLL_MS = 15_000;

/** A DB instance or cluster snapshot, as this step records it. */
interface RdsSnapshot {
  readonly kind: 'instance' | 'cluster';
  readonly snapshotIdentifier: string;
  readonly snapshotArn: string | undefined;
  readonly status: string;
  readonly createdAt: string | undefined;
  readonly encrypted: boolean | undefined;
  readonly kmsKeyId: string | undefined;
  readonly tags: Record<string, string>;
}

/** The database's configuration: the cluster and its members, or the instance. */
interface RdsConfiguration {
  readonly kind: 'instance' | 'cluster';
  readonly id: string;
  readonly cluster: DBCluster | null;
  readonly instances: DBInstance[];
}

const notFound = (what: string, cause: unknown) =>
  new StepRefusedError(`${what} was not found in the target account and region`, 'not-found', { cause });

async function describeConfiguration(rds: RDSClient, target: RdsTarget): Promise<RdsConfiguration> {
  let clusterId = target.dbClusterIdentifier;
  let instance: DBInstance | undefined;
  if (!clusterId && target.dbInstanceIdentifier) {
    try {
      const output = await rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: target.dbInstanceIdentifier }),
      );
      instance = output.DBInstances?.[0];
    } catch (error: unknown) {
      if (errorName(error).startsWith('DBInstanceNotFound')) {
        throw notFound(`DB instance ${target.dbInstanceIdentifier}`, error);
      }
      throw error;
    }
    if (!instance) throw notFound(`DB instance ${target.dbInstanceIdentifier}`, undefined);
    // An Aurora member's storage is the cluster's: RDS snapshots the cluster, not the instance.
    clusterId = instance.DBClusterIdentifier;
    if (!clusterId) {
      return { kind: 'instance', id: target.dbInstanceIdentifier, cluster: null, instances: [instance] };
    }
  }
  if (!clusterId) throw new StepRefusedError('the command names no DB instance or cluster', 'invalid');
  let cluster: DBCluster | undefined;
  try {
    cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId })))
      .DBClusters?.[0];
  } catch (error: unknown) {
    if (errorName(error).startsWith('DBClusterNotFound')) throw notFound(`DB cluster ${clusterId}`, error);
    throw error;
  }
  if (!cluster) throw notFound(`DB cluster ${clusterId}`, undefined);
  const members = (cluster.DBClusterMembers ?? []).flatMap((m) =>
    m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : [],
  );
  const instances: DBInstance[] = [];
  for (const id of members) {
    const output = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    instances.push(...(output.DBInstances ?? []));
  }
  return { kind: 'cluster', id: clusterId, cluster, instances };
}

/**
 * The snapshot's identifier: the same for every delivery of this step, so a rerun finds the snapshot
 * the first run started (TRAPS 24). RDS allows letters, digits and single hyphens, starting with a
 * letter; the hash of the step id keeps two steps of one incident apart.
 */
export function rdsSnapshotIdentifier(incidentId: string, stepId: string, databaseId: string): string {
  const slug = (text: string, max: number) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '');
  const hash = createHash('sha256').update(stepId).digest('hex').slice(0, 10);
  return ['ir', slug(incidentId, 60), slug(databaseId, 60), hash].filter(Boolean).join('-');
}

function fromInstanceSnapshot(snapshot: DBSnapshot): RdsSnapshot {
  return {
    kind: 'instance',
    snapshotIdentifier: snapshot.DBSnapshotIdentifier ?? '',
    snapshotArn: snapshot.DBSnapshotArn,
    status: snapshot.Status ?? 'unknown',
    createdAt: snapshot.SnapshotCreateTime?.toISOString(),
    encrypted: snapshot.Encrypted,
    kmsKeyId: snapshot.KmsKeyId,
    tags: Object.fromEntries((snapshot.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

function fromClusterSnapshot(snapshot: DBClusterSnapshot): RdsSnapshot {
  return {
    kind: 'cluster',
    snapshotIdentifier: snapshot.DBClusterSnapshotIdentifier ?? '',
    snapshotArn: snapshot.DBClusterSnapshotArn,
    status: snapshot.Status ?? 'unknown',
    createdAt: snapshot.SnapshotCreateTime?.toISOString(),
    encrypted: snapshot.StorageEncrypted,
    kmsKeyId: snapshot.KmsKeyId,
    tags: Object.fromEntries((snapshot.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

/** The snapshot with this identifier, or undefined when there is none. */
async function readSnapshot(
  rds: RDSClient,
  kind: 'instance' | 'cluster',
  identifier: string,
): Promise<RdsSnapshot | undefined> {
  try {
    if (kind === 'cluster') {
      const output = await rds.send(
        new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }),
      );
      const snapshot = output.DBClusterSnapshots?.[0];
      return snapshot ? withTags(rds, fromClusterSnapshot(snapshot)) : undefined;
    }
    const output = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
    const snapshot = output.DBSnapshots?.[0];
    return snapshot ? withTags(rds, fromInstanceSnapshot(snapshot)) : undefined;
  } catch (error: unknown) {
    if (/^DB(Cluster)?SnapshotNotFound/.test(errorName(error))) return undefined;
    throw error;
  }
}

/** Describe calls leave `TagList` out in some API versions: the tags are read live when absent. */
async function withTags(rds: RDSClient, snapshot: RdsSnapshot): Promise<RdsSnapshot> {
  if (Object.keys(snapshot.tags).length > 0 || !snapshot.snapshotArn) return snapshot;
  const output = await rds.send(new ListTagsForResourceCommand({ ResourceName: snapshot.snapshotArn }));
  return {
    ...snapshot,
    tags: Object.fromEntries((output.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

async function createSnapshot(
  rds: RDSClient,
  config: RdsConfiguration,
  identifier: string,
  tags: Record<string, string>,
): Promise<void> {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    if (config.kind === 'cluster') {
      await rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: config.id,
          DBClusterSnapshotIdentifier: identifier,
          Tags,
        }),
      );
    } else {
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: config.id,
          DBSnapshotIdentifier: identifier,
          Tags,
        }),
      );
    }
  } catch (error: unknown) {
    // An earlier delivery of this step created it and its answer was lost: use that one.
    if (!/^DB(Cluster)?SnapshotAlreadyExists/.test(errorName(error))) throw error;
  }
}

/** Statuses from which a snapshot never becomes available (the SDK's `DBSnapshotAvailable` waiter's). */
const FAILED = new Set(['deleted', 'deleting', 'failed', 'incompatible-restore', 'incompatible-parameters']);

/**
 * Looks at the snapshot until it is `available`; a failed or vanished snapshot fails the step. Exported
 * for its unit test on AWS-shaped responses (the emulator creates snapshots `available` at once).
 */
export async function waitUntilAvailable(
  rds: RDSClient,
  kind: 'instance' | 'cluster',
  identifier: string,
  deps: Pick<ActionDeps, 'sleep'>,
  context: Pick<StepContext, 'signal'>,
): Promise<RdsSnapshot> {
  for (;;) {
    const snapshot = await readSnapshot(rds, kind, identifier);
    if (!snapshot)
      throw new StepRefusedError(`snapshot ${identifier} vanished after it was created`, 'not-found');
    if (snapshot.status === 'available') return snapshot;
    if (FAILED.has(snapshot.status)) {
      throw new StepRefusedError(`snapshot ${identifier} is ${snapshot.status}`, 'snapshot-failed');
    }
    // The step's deadline aborts this wait; a rerun finds the same snapshot and waits on.
    await deps.sleep(POLL_MS, context.signal);
  }
}

/**
 * evidence.snapshot-rds: the database's configuration (the cluster and its instances, or the
 * instance) in `rds-database.json`, and a snapshot of it (the cluster's for an Aurora or Multi-AZ DB
 * cluster, else the instance's) tagged with the incident and step, waited for until `available` and
 * read back. The snapshot's identifier is derived from the step, so a rerun converges on one
 * snapshot. In dry-run it only reads, and says which snapshot it would take.
 */
export function snapshotRds(deps: ActionDeps): StepHandler<'evidence.snapshot-rds'> {
  return async (target, context) => {
    const { stepId, incidentId } = context;
    const rds = await context.client(RDSClient);
    const config = await describeConfiguration(rds, target);
    const identifier = rdsSnapshotIdentifier(incidentId, stepId, config.id);
    const name = 'rds-database.json';
    if (context.dryRun) {
      return succeeded({
        ...target,
        kind: config.kind,
        dryRun: true,
        wouldChange: [`create DB ${config.kind} snapshot ${identifier} of ${config.id}`],
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name })],
      });
    }
    // No `ir:purpose`: that key is a guard the EC2 snapshot policies trust, written only where EC2
    // can prove creation (`ec2:CreateAction`); RDS has no such key, and nothing trusts these.
    const tags = {
      [SnapshotTag.incidentId]: incidentId,
      [SnapshotTag.stepId]: stepId,
      [SnapshotTag.kind]: SnapshotKind.source,
      [RDS_SOURCE_TAG]: `${config.kind}/${config.id}`,
    };
    const existing = await readSnapshot(rds, config.kind, identifier);
    if (existing && existing.tags[SnapshotTag.incidentId] !== incidentId) {
      throw new StepRefusedError(
        `snapshot ${identifier} exists but is not tagged with incident ${incidentId}; look at it by hand`,
        'conflict',
      );
    }
    if (!existing) await createSnapshot(rds, config, identifier, tags);
    const snapshot = await waitUntilAvailable(rds, config.kind, identifier, deps, context);
    const missing = Object.entries(tags).filter(([key, value]) => snapshot.tags[key] !== value);
    if (missing.length > 0) {
      throw new StepRefusedError(
        `snapshot ${identifier} lacks tags ${missing.map(([key]) => key).join(', ')}`,
        'verification-failed',
      );
    }
    const artifact = await putCollectedRecord(deps, context, name, { ...config, snapshot });
    context.logger.info({ kind: config.kind, id: config.id, snapshot: identifier }, 'rds_snapshot_available');
    return succeeded({
      ...target,
      kind: config.kind,
      snapshotIdentifier: snapshot.snapshotIdentifier,
      snapshotArn: snapshot.snapshotArn,
      snapshotStatus: snapshot.status,
      encrypted: snapshot.encrypted,
      artifact,
    });
  };
}
