import {
  AddTagsToResourceCommand,
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSubnetGroupsCommand,
  ListTagsForResourceCommand,
  type RDSClient,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-rds';
import type { RdsTarget } from '@ir/contracts';
import { tagList, tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError, UnexpectedAwsResponseError } from '../../errors.js';

/**
 * Tags the RDS actions write on the database before changing it: records, under `ir-record:` like the
 * remediation actions' records, which no IAM condition trusts (the `ir:` namespace is creation-only,
 * TRAPS 21). Why plain words and not the JSON tags the EC2 actions use: RDS tag values allow only
 * letters, digits, spaces and `_.:/=+-@`, so the recorded security groups are a space-separated list
 * (12 groups of 20 characters fit in 256).
 */
export const RdsTag = {
  /** The incident whose containment moved the database to the isolation group. */
  isolatedBy: 'ir-record:rds-isolated-by',
  /** The database's security groups before isolation, space-separated. */
  preGroups: 'ir-record:rds-pre-groups',
  /** On each DB instance: the incident that turned public accessibility off. */
  privateBy: 'ir-record:rds-private-by',
  /** On each DB instance: `true` or `false`, its `PubliclyAccessible` before containment. */
  prePublic: 'ir-record:rds-pre-public',
} as const;

/** What the actions need of a DB instance or cluster, whichever the command names. */
export interface RdsDatabase {
  readonly kind: 'instance' | 'cluster';
  readonly id: string;
  readonly arn: string;
  readonly status: string;
  readonly subnetGroupName: string | undefined;
  readonly vpcId: string | undefined;
  /** Its VPC security groups with their membership status (`active`, `adding`, `removing`). */
  readonly groups: readonly { readonly groupId: string; readonly status: string }[];
  /** For a cluster: its instances; for an instance: itself. */
  readonly instanceIds: readonly string[];
  /** Engine mode of a cluster: Aurora (`aurora*`) or a Multi-AZ DB cluster (`mysql`, `postgres`). */
  readonly engine: string | undefined;
}

/** Statuses after which a database is as good as gone: nothing to contain. */
const GONE = new Set(['deleting', 'deleted']);

/** A described DB instance, or a named failure when it does not exist. */
export async function describeDbInstance(rds: RDSClient, id: string): Promise<DBInstance> {
  let instance: DBInstance | undefined;
  try {
    instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
      .DBInstances?.[0];
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'DBInstanceNotFound', 'DBInstanceNotFoundFault')) throw error;
  }
  if (!instance || GONE.has(instance.DBInstanceStatus ?? '')) {
    const state = instance?.DBInstanceStatus;
    throw new ResourceNotFoundError(`DB instance ${id} not found${state ? ` (${state})` : ''}`, {
      dbInstanceIdentifier: id,
    });
  }
  return instance;
}

async function describeDbCluster(rds: RDSClient, id: string): Promise<DBCluster> {
  let cluster: DBCluster | undefined;
  try {
    cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'DBClusterNotFoundFault', 'DBClusterNotFound')) throw error;
  }
  if (!cluster || GONE.has(cluster.Status ?? '')) {
    const state = cluster?.Status;
    throw new ResourceNotFoundError(`DB cluster ${id} not found${state ? ` (${state})` : ''}`, {
      dbClusterIdentifier: id,
    });
  }
  return cluster;
}

async function vpcOfSubnetGroup(rds: RDSClient, name: string | undefined): Promise<string | undefined> {
  if (!name) return undefined;
  const output = await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }));
  return output.DBSubnetGroups?.[0]?.VpcId;
}

function groupsOf(memberships: readonly { VpcSecurityGroupId?: string; Status?: string }[] = []) {
  return memberships.flatMap((m) =>
    m.VpcSecurityGroupId ? [{ groupId: m.VpcSecurityGroupId, status: m.Status ?? 'unknown' }] : [],
  );
}

/**
 * The database a command names. A cluster when one is named, or when the named instance belongs to
 * one: an Aurora member's security groups are the cluster's, and RDS refuses to change them on the
 * instance.
 */
export async function describeDatabase(rds: RDSClient, target: RdsTarget): Promise<RdsDatabase> {
  let clusterId = target.dbClusterIdentifier;
  if (!clusterId && target.dbInstanceIdentifier) {
    const instance = await describeDbInstance(rds, target.dbInstanceIdentifier);
    clusterId = instance.DBClusterIdentifier;
    if (!clusterId) {
      if (!instance.DBInstanceArn)
        throw new UnexpectedAwsResponseError(`DB instance ${target.dbInstanceIdentifier} has no ARN`);
      return {
        kind: 'instance',
        id: target.dbInstanceIdentifier,
        arn: instance.DBInstanceArn,
        status: instance.DBInstanceStatus ?? 'unknown',
        subnetGroupName: instance.DBSubnetGroup?.DBSubnetGroupName,
        vpcId: instance.DBSubnetGroup?.VpcId,
        groups: groupsOf(instance.VpcSecurityGroups),
        instanceIds: [target.dbInstanceIdentifier],
        engine: instance.Engine,
      };
    }
  }
  if (!clusterId) throw new ResourceNotFoundError('the command names no DB instance or cluster');
  const cluster = await describeDbCluster(rds, clusterId);
  if (!cluster.DBClusterArn) throw new UnexpectedAwsResponseError(`DB cluster ${clusterId} has no ARN`);
  return {
    kind: 'cluster',
    id: clusterId,
    arn: cluster.DBClusterArn,
    status: cluster.Status ?? 'unknown',
    subnetGroupName: cluster.DBSubnetGroup,
    vpcId: await vpcOfSubnetGroup(rds, cluster.DBSubnetGroup),
    groups: groupsOf(cluster.VpcSecurityGroups),
    instanceIds: (cluster.DBClusterMembers ?? []).flatMap((m) =>
      m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : [],
    ),
    engine: cluster.Engine,
  };
}

/** The tags of an RDS resource, read live (never from the finding, TRAPS 22). */
export async function rdsTags(rds: RDSClient, arn: string): Promise<Record<string, string>> {
  return tagMap((await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList);
}

/** Adds tags to an RDS resource. */
export async function addRdsTags(rds: RDSClient, arn: string, tags: Record<string, string>): Promise<void> {
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) }));
}

/** Removes tags from an RDS resource (nothing to do when `keys` is empty). */
export async function removeRdsTags(rds: RDSClient, arn: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: [...keys] }));
}

/** `instance db-1` or `cluster aurora-1`, for messages. */
export function describeRds(db: Pick<RdsDatabase, 'kind' | 'id'>): string {
  return `DB ${db.kind} ${db.id}`;
}
