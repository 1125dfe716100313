import type {
  Ec2InstanceResource,
  EcsTaskResource,
  EksClusterResource,
  EksWorkloadResource,
  Finding,
  HostInstance,
  IamAccessKeyResource,
  LambdaFunctionResource,
  OtherResource,
  RdsDatabaseResource,
  S3BucketResource,
  S3ObjectResource,
} from '@ir/contracts';
import { z } from 'zod';

/**
 * What a step can fan out over (`forEach:`): one step per instance, IAM principal, bucket, other
 * resource, subnet of an instance's ENIs, remote IP of the finding's network activity, security
 * group the finding names, or Lambda function (and the other workload kinds listed below).
 */
export const Dimension = z.enum([
  'instance',
  'principal',
  'bucket',
  'other',
  'subnet',
  'remoteIp',
  'securityGroup',
  'rdsDatabase',
  'lambdaFunction',
  's3Object',
  'ecsTask',
  'eksCluster',
  'eksWorkload',
  'eksNode',
]);
/** @see Dimension */
export type Dimension = z.infer<typeof Dimension>;

/** A subnet an affected instance has an ENI in. */
export interface SubnetItem {
  readonly subnetId: string;
  readonly vpcId?: string;
  /** The instance's own region, when the finding gives one (NACLs are regional). */
  readonly region?: string;
}

/** A remote party of the finding, with the single-address CIDR that blocks it. */
export interface RemoteIpItem {
  readonly ip: string;
  readonly cidr: string;
  readonly port?: number;
  readonly country?: string;
  readonly org?: string;
}

/**
 * A security group a finding names (Security Hub `AwsEc2SecurityGroup`, kept as an `other`
 * resource): its id, ARN when given, and the region the ARN names.
 */
export interface SecurityGroupItem {
  readonly groupId: string;
  readonly arn?: string;
  readonly region?: string;
}

/** The EC2 instance an EKS workload (or an audit finding's cluster) runs on: a node of the cluster. */
export interface EksNodeItem extends HostInstance {
  readonly clusterName: string;
  readonly region?: string;
}

/** The item type behind each dimension. */
export interface DimensionItems {
  instance: Ec2InstanceResource;
  principal: IamAccessKeyResource;
  bucket: S3BucketResource;
  other: OtherResource;
  subnet: SubnetItem;
  remoteIp: RemoteIpItem;
  securityGroup: SecurityGroupItem;
  rdsDatabase: RdsDatabaseResource;
  lambdaFunction: LambdaFunctionResource;
  s3Object: S3ObjectResource;
  ecsTask: EcsTaskResource;
  eksCluster: EksClusterResource;
  eksWorkload: EksWorkloadResource;
  eksNode: EksNodeItem;
}

/** One fan-out item: its key (used in step ids) and value. */
export interface KeyedItem<D extends Dimension = Dimension> {
  readonly key: string;
  readonly value: DimensionItems[D];
}

/** The items of a dimension in a finding, de-duplicated by key and sorted by key (deterministic). */
export function itemsOf<D extends Dimension>(finding: Finding, dimension: D): KeyedItem<D>[] {
  const items = rawItems(finding, dimension) as KeyedItem<D>[];
  const byKey = new Map<string, KeyedItem<D>>();
  for (const item of items) if (!byKey.has(item.key)) byKey.set(item.key, item);
  return [...byKey.values()].sort((a, b) => compareStrings(a.key, b.key));
}

/** Code-unit string order: the same on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * A principal's key in step ids: the role name (every session of a role is one principal, as in
 * `resourceKey`), `user.AKIA…` for a user's key (two leaked keys of one user are two principals),
 * else the user name, key id or principal id. Never a `/`: step ids appear in API paths.
 */
function principalKey(resource: IamAccessKeyResource): string {
  if (resource.roleName) return resource.roleName;
  if (resource.userName)
    return resource.accessKeyId ? `${resource.userName}.${resource.accessKeyId}` : resource.userName;
  return resource.accessKeyId ?? resource.principalId ?? resource.userType;
}

function rawItems(finding: Finding, dimension: Dimension): KeyedItem[] {
  const resources = finding.resources;
  switch (dimension) {
    case 'instance':
      return resources.flatMap((r) => (r.kind === 'ec2-instance' ? [{ key: r.instanceId, value: r }] : []));
    case 'principal':
      return resources.flatMap((r) =>
        r.kind === 'iam-access-key' ? [{ key: principalKey(r), value: r }] : [],
      );
    case 'bucket':
      return resources.flatMap((r) => (r.kind === 's3-bucket' ? [{ key: r.bucketName, value: r }] : []));
    case 'other':
      return resources.flatMap((r) =>
        r.kind === 'other' ? [{ key: `${r.resourceType}:${r.id}`, value: r }] : [],
      );
    case 'subnet':
      return resources.flatMap((r) =>
        r.kind === 'ec2-instance'
          ? r.networkInterfaces.flatMap((eni) =>
              eni.subnetId
                ? [
                    {
                      key: eni.subnetId,
                      value: {
                        subnetId: eni.subnetId,
                        ...(eni.vpcId ? { vpcId: eni.vpcId } : {}),
                        ...(r.region ? { region: r.region } : {}),
                      },
                    },
                  ]
                : [],
            )
          : [],
      );
    case 'securityGroup':
      return resources.flatMap((r) => {
        const item = r.kind === 'other' ? securityGroupItem(r) : undefined;
        return item ? [{ key: item.groupId, value: item }] : [];
      });
    case 's3Object':
      return resources.flatMap((r) => (r.kind === 's3-object' ? [{ key: s3ObjectKey(r), value: r }] : []));
    case 'lambdaFunction':
      // By name: a function is one resource whichever version the finding names (as `resourceKey`).
      return resources.flatMap((r) =>
        r.kind === 'lambda-function' ? [{ key: r.functionName, value: r }] : [],
      );
    case 'rdsDatabase':
      // The cluster when there is one: an Aurora member's groups and snapshots are the cluster's.
      return resources.flatMap((r) => {
        if (r.kind !== 'rds-database') return [];
        const key = r.dbClusterIdentifier ?? r.dbInstanceIdentifier ?? r.dbShardGroupIdentifier;
        return key ? [{ key, value: r }] : [];
      });
    case 'ecsTask':
      // By the task id (unique in the account and region), with its cluster: never a `/`.
      return resources.flatMap((r) => (r.kind === 'ecs-task' ? [{ key: ecsTaskKey(r), value: r }] : []));
    case 'eksCluster':
      // A cluster a finding names without a workload (audit-log findings, a sequence's cluster); a
      // workload's steps act on its cluster through `eksWorkload.clusterName`.
      return resources.flatMap((r) =>
        r.kind === 'eks-cluster' ? [{ key: safeKey(r.clusterName), value: r }] : [],
      );
    case 'eksWorkload':
      return resources.flatMap((r) =>
        r.kind === 'eks-workload'
          ? [{ key: safeKey(`${r.clusterName}.${r.namespace}.${r.workloadName}`), value: r }]
          : [],
      );
    case 'eksNode':
      // By instance id: two pods on one node are one node to contain.
      return resources.flatMap((r) =>
        (r.kind === 'eks-workload' || r.kind === 'eks-cluster') && r.node
          ? [
              {
                key: r.node.instanceId,
                value: { ...r.node, clusterName: r.clusterName, ...(r.region ? { region: r.region } : {}) },
              },
            ]
          : [],
      );
    case 'remoteIp':
      return (finding.network?.remoteIps ?? []).map((remote) => ({
        key: remote.ip,
        value: { ...remote, cidr: `${remote.ip}/${remote.ip.includes(':') ? 128 : 32}` },
      }));
  }
}

/**
 * An S3 object's key in step ids: the bucket and the object key with every character outside
 * `[A-Za-z0-9._-]` as `_`, at most 120 characters. Never a `/` (step ids appear in API paths); a
 * malware finding names one object, so two keys that read the same here do not meet in one plan.
 */
function s3ObjectKey(resource: S3ObjectResource): string {
  return `${resource.bucketName}.${resource.key}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

/** A key for step ids: every character outside `[A-Za-z0-9._-]` as `_`, at most 120 characters. */
function safeKey(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}

/**
 * An ECS task's key in step ids: `<cluster>.<task id>` from its ARN (`task/<cluster>/<id>`), with every
 * character outside `[A-Za-z0-9._-]` as `_`, at most 120 characters.
 */
function ecsTaskKey(resource: EcsTaskResource): string {
  const path = resource.taskArn.slice(resource.taskArn.indexOf(':task/') + ':task/'.length);
  return path
    .replaceAll('/', '.')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 120);
}

/**
 * The security group an `other` resource names, if it is one: ASFF type `AwsEc2SecurityGroup` with
 * an id that is `sg-…` or an ARN ending in `security-group/sg-…`.
 */
function securityGroupItem(resource: OtherResource): SecurityGroupItem | undefined {
  if (resource.resourceType !== 'AwsEc2SecurityGroup') return undefined;
  const groupId = /(?:^|security-group\/)(sg-[0-9a-f]+)$/.exec(resource.id)?.[1];
  if (!groupId) return undefined;
  if (!resource.id.startsWith('arn:')) return { groupId };
  const region = resource.id.split(':')[3];
  return { groupId, arn: resource.id, ...(region ? { region } : {}) };
}
