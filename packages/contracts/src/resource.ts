import { z } from 'zod';
import { RdsDatabaseResource, S3ObjectResource } from './resource-data-stores.js';
import { NetworkInterface, ResourceRegion, Tags } from './resource-parts.js';
import {
  ContainerResource,
  EcsClusterResource,
  EcsTaskResource,
  EksClusterResource,
  EksWorkloadResource,
  LambdaFunctionResource,
} from './resource-workloads.js';

/** An EC2 instance named by a finding. */
export const Ec2InstanceResource = z.object({
  kind: z.literal('ec2-instance'),
  instanceId: z.string().min(1),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
  tags: Tags.default({}),
  iamInstanceProfileArn: z.string().optional(),
  networkInterfaces: z.array(NetworkInterface).default([]),
  region: ResourceRegion,
});
/** @see Ec2InstanceResource */
export type Ec2InstanceResource = z.infer<typeof Ec2InstanceResource>;

/**
 * An IAM principal and (when known) the access key it used. `userType` is GuardDuty's word for the
 * principal (`IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, ...); when the principal is a role,
 * `roleName` (and `roleArn` when the source gives it) are set. Why one kind for users, keys and
 * roles: containment branches on `userType`, and the same finding type names any of them.
 */
export const IamAccessKeyResource = z.object({
  kind: z.literal('iam-access-key'),
  accessKeyId: z.string().optional(),
  principalId: z.string().optional(),
  userName: z.string().optional(),
  userType: z.string().min(1),
  roleName: z.string().optional(),
  roleArn: z.string().optional(),
});
/** @see IamAccessKeyResource */
export type IamAccessKeyResource = z.infer<typeof IamAccessKeyResource>;

/** An S3 bucket named by a finding (one finding may name several). */
export const S3BucketResource = z.object({
  kind: z.literal('s3-bucket'),
  bucketName: z.string().min(1),
  arn: z.string().optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see S3BucketResource */
export type S3BucketResource = z.infer<typeof S3BucketResource>;

/**
 * Any other resource: a type no kind above models (an Auto Scaling group, a security group, a
 * CloudFormation stack, a type a source adds tomorrow). Why it exists: no resource a finding names is
 * ever dropped; it is recorded, keyed and reported, and a person is told, even though no playbook
 * contains it automatically. `resourceType` is the source's own word for the type (GuardDuty
 * `resourceType`, ASFF/OCSF type), `id` its identifier (an ARN when the source gives one).
 */
export const OtherResource = z.object({
  kind: z.literal('other'),
  resourceType: z.string().min(1),
  id: z.string().min(1),
});
/** @see OtherResource */
export type OtherResource = z.infer<typeof OtherResource>;

/** A resource a finding names, discriminated on `kind`. */
export const Resource = z.discriminatedUnion('kind', [
  Ec2InstanceResource,
  IamAccessKeyResource,
  S3BucketResource,
  S3ObjectResource,
  EcsClusterResource,
  EcsTaskResource,
  EksClusterResource,
  EksWorkloadResource,
  LambdaFunctionResource,
  RdsDatabaseResource,
  ContainerResource,
  OtherResource,
]);
/** @see Resource */
export type Resource = z.infer<typeof Resource>;

/** The closed set of resource kinds. */
export type ResourceKind = Resource['kind'];

/**
 * Every resource kind, as a zod enum (playbooks match on `resourceKinds`). Kept in step with
 * `Resource` by the type check below.
 */
export const ResourceKindName = z.enum([
  'ec2-instance',
  'iam-access-key',
  's3-bucket',
  's3-object',
  'ecs-cluster',
  'ecs-task',
  'eks-cluster',
  'eks-workload',
  'lambda-function',
  'rds-database',
  'container',
  'other',
]);
type SameKinds<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsInStep: SameKinds<z.infer<typeof ResourceKindName>, ResourceKind> = true;
void kindsInStep;

/**
 * A stable key for a resource, e.g. `ec2-instance:i-0abc`, `iam-access-key:role/Admin`,
 * `s3-bucket:logs`. Why: detection coalesces repeated findings by resource, and the coordinator
 * records an incident's resources by key. Unique within an account; pair it with the account id
 * across accounts. Each kind keys by what names it for good:
 *
 * - roles by role name, not by the temporary `ASIA...` key, so every session of one role coalesces;
 * - an S3 object by bucket and key, plus the version when known (`s3-object:b/k#v`);
 * - an ECS task by its ARN, an ECS or EKS cluster by its name;
 * - an EKS workload by cluster, namespace, workload type and name (`eks-workload:c/ns/pods/web-1`);
 * - a Lambda function by its ARN without a version or alias (every version is one function), else
 *   by name;
 * - an RDS database by instance, else cluster, else shard group identifier;
 * - a container by its runtime id.
 */
export function resourceKey(resource: Resource): string {
  switch (resource.kind) {
    case 'ec2-instance':
      return `ec2-instance:${resource.instanceId}`;
    case 'iam-access-key':
      return `iam-access-key:${iamPrincipalKey(resource)}`;
    case 's3-bucket':
      return `s3-bucket:${resource.bucketName}`;
    case 's3-object':
      return `s3-object:${resource.bucketName}/${resource.key}${resource.versionId ? `#${resource.versionId}` : ''}`;
    case 'ecs-cluster':
      return `ecs-cluster:${resource.clusterName}`;
    case 'ecs-task':
      return `ecs-task:${resource.taskArn}`;
    case 'eks-cluster':
      return `eks-cluster:${resource.clusterName}`;
    case 'eks-workload':
      return `eks-workload:${resource.clusterName}/${resource.namespace}/${resource.workloadType}/${resource.workloadName}`;
    case 'lambda-function':
      return `lambda-function:${resource.functionArn ? unqualifiedFunctionArn(resource.functionArn) : resource.functionName}`;
    case 'rds-database':
      return `rds-database:${rdsKey(resource)}`;
    case 'container':
      return `container:${resource.containerId}`;
    case 'other':
      return `other:${resource.resourceType}:${resource.id}`;
  }
}

function iamPrincipalKey(resource: IamAccessKeyResource): string {
  if (resource.roleName) return `role/${resource.roleName}`;
  if (resource.accessKeyId) return resource.accessKeyId;
  if (resource.userName) return `user/${resource.userName}`;
  return `principal/${resource.principalId ?? resource.userType}`;
}

function rdsKey(resource: RdsDatabaseResource): string {
  if (resource.dbInstanceIdentifier) return `instance/${resource.dbInstanceIdentifier}`;
  if (resource.dbClusterIdentifier) return `cluster/${resource.dbClusterIdentifier}`;
  return `shard-group/${resource.dbShardGroupIdentifier ?? ''}`;
}

/**
 * A function ARN without its qualifier: `arn:aws:lambda:r:a:function:name:7` and `...:name:live`
 * become `arn:aws:lambda:r:a:function:name`. Anything that is not a function ARN is returned as is.
 */
export function unqualifiedFunctionArn(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 && parts[2] === 'lambda' && parts[5] === 'function'
    ? parts.slice(0, 7).join(':')
    : arn;
}
