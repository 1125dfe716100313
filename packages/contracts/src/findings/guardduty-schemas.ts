import { z } from 'zod';
import { orNull } from './shared.js';

/*
 * The `resource` part of a GuardDuty finding, in EventBridge's camelCase (the API's PascalCase is
 * re-keyed into it). Field names follow the GuardDuty API reference (`Resource`,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Resource.html, and the types it
 * links). Only what the normalisers read is checked; everything else passes through in `raw`.
 * Details of the newer resource types accept `null` for any field (GuardDuty sends it).
 */

const text = orNull(z.string());
const flag = orNull(z.boolean());

/** `[{key, value}]`, GuardDuty's tag list. */
export const Tag = z.object({ key: z.string(), value: text });
const TagList = orNull(z.array(Tag));

/** One ENI of `instanceDetails`. */
export const NetworkInterfaceDetails = z.object({
  networkInterfaceId: z.string().min(1),
  vpcId: text,
  subnetId: text,
  privateIpAddress: orNull(z.ipv4()),
  privateIpAddresses: orNull(z.array(z.object({ privateIpAddress: orNull(z.ipv4()) }))),
  publicIp: orNull(z.ipv4()),
  ipv6Addresses: orNull(z.array(z.ipv6())),
  securityGroups: orNull(z.array(z.object({ groupId: z.string().min(1), groupName: text }))),
});
/** @see NetworkInterfaceDetails */
export type NetworkInterfaceDetails = z.infer<typeof NetworkInterfaceDetails>;

/** `instanceDetails`: the instance itself, an EKS node, a container host. */
export const InstanceDetails = z.object({
  instanceId: z.string().min(1),
  instanceType: text,
  imageId: text,
  iamInstanceProfile: orNull(z.object({ arn: text, id: text })),
  networkInterfaces: orNull(z.array(NetworkInterfaceDetails)),
  tags: TagList,
});
/** @see InstanceDetails */
export type InstanceDetails = z.infer<typeof InstanceDetails>;

/** `accessKeyDetails`: the IAM principal (the resource of IAM findings, the actor of others). */
export const AccessKeyDetails = z.object({
  accessKeyId: text,
  principalId: text,
  userName: text,
  userType: text,
});
/** @see AccessKeyDetails */
export type AccessKeyDetails = z.infer<typeof AccessKeyDetails>;

/** `S3ObjectDetail`: one object of a Malware Protection for S3 finding. */
export const S3ObjectDetail = z.object({
  objectArn: text,
  key: text,
  eTag: text,
  hash: text,
  versionId: text,
});

/** `S3BucketDetail`; `s3ObjectDetails` is set for `S3Object` findings. */
export const S3BucketDetail = z.object({
  name: z.string().min(1),
  arn: text,
  tags: TagList,
  s3ObjectDetails: orNull(z.array(S3ObjectDetail)),
});
/** @see S3BucketDetail */
export type S3BucketDetail = z.infer<typeof S3BucketDetail>;

/** `Container`: a container of a task, pod or host. */
export const ContainerDetails = z.object({
  containerRuntime: text,
  id: text,
  name: text,
  image: text,
  securityContext: orNull(z.object({ privileged: flag })),
});
/** @see ContainerDetails */
export type ContainerDetails = z.infer<typeof ContainerDetails>;

/** `EksClusterDetails`. */
export const EksClusterDetails = z.object({
  name: text,
  arn: text,
  vpcId: text,
  status: text,
  tags: TagList,
});
/** @see EksClusterDetails */
export type EksClusterDetails = z.infer<typeof EksClusterDetails>;

/** `KubernetesUserDetails`: the Kubernetes identity of an audit-log finding. */
export const KubernetesUserDetails = z.object({
  username: text,
  uid: text,
  groups: orNull(z.array(z.string())),
  sessionName: orNull(z.array(z.string())),
});

/** `KubernetesWorkloadDetails`: the workload (pod, deployment, ...) of a finding. */
export const KubernetesWorkloadDetails = z.object({
  name: text,
  type: text,
  uid: text,
  namespace: text,
  hostNetwork: flag,
  serviceAccountName: text,
  containers: orNull(z.array(ContainerDetails)),
});
/** @see KubernetesWorkloadDetails */
export type KubernetesWorkloadDetails = z.infer<typeof KubernetesWorkloadDetails>;

/** `KubernetesDetails`. */
export const KubernetesDetails = z.object({
  kubernetesUserDetails: orNull(KubernetesUserDetails),
  kubernetesWorkloadDetails: orNull(KubernetesWorkloadDetails),
});
/** @see KubernetesDetails */
export type KubernetesDetails = z.infer<typeof KubernetesDetails>;

/** `EcsTaskDetails` (`createdAt` and `startedAt` pass through unread). */
export const EcsTaskDetails = z.object({
  arn: text,
  definitionArn: text,
  version: text,
  startedBy: text,
  group: text,
  launchType: text,
  tags: TagList,
  containers: orNull(z.array(ContainerDetails)),
});

/** `EcsClusterDetails`, with the task when the finding is about one. */
export const EcsClusterDetails = z.object({
  name: text,
  arn: text,
  status: text,
  tags: TagList,
  taskDetails: orNull(EcsTaskDetails),
});
/** @see EcsClusterDetails */
export type EcsClusterDetails = z.infer<typeof EcsClusterDetails>;

/** `LambdaDetails`. */
export const LambdaDetails = z.object({
  functionArn: text,
  functionName: text,
  functionVersion: text,
  revisionId: text,
  role: text,
  vpcConfig: orNull(
    z.object({
      vpcId: text,
      subnetIds: orNull(z.array(z.string())),
      securityGroups: orNull(z.array(z.object({ groupId: z.string().min(1), groupName: text }))),
    }),
  ),
  tags: TagList,
});
/** @see LambdaDetails */
export type LambdaDetails = z.infer<typeof LambdaDetails>;

/** `RdsDbInstanceDetails`. */
export const RdsDbInstanceDetails = z.object({
  dbInstanceIdentifier: text,
  dbInstanceArn: text,
  dbClusterIdentifier: text,
  dbiResourceId: text,
  engine: text,
  engineVersion: text,
  tags: TagList,
});
/** @see RdsDbInstanceDetails */
export type RdsDbInstanceDetails = z.infer<typeof RdsDbInstanceDetails>;

/** `RdsLimitlessDbDetails`: an Aurora Limitless Database shard group. */
export const RdsLimitlessDbDetails = z.object({
  dbShardGroupIdentifier: text,
  dbShardGroupResourceId: text,
  dbShardGroupArn: text,
  dbClusterIdentifier: text,
  engine: text,
  engineVersion: text,
  tags: TagList,
});
/** @see RdsLimitlessDbDetails */
export type RdsLimitlessDbDetails = z.infer<typeof RdsLimitlessDbDetails>;

/** `RdsDbUserDetails`: the login of an RDS finding. */
export const RdsDbUserDetails = z.object({
  user: text,
  application: text,
  database: text,
  ssl: text,
  authMethod: text,
});
/** @see RdsDbUserDetails */
export type RdsDbUserDetails = z.infer<typeof RdsDbUserDetails>;

/** GuardDuty's `resource` object: its type and the details for that type. */
export const GuardDutyResource = z.object({
  resourceType: z.string().min(1),
  instanceDetails: orNull(InstanceDetails),
  accessKeyDetails: orNull(AccessKeyDetails),
  s3BucketDetails: orNull(z.array(S3BucketDetail)),
  eksClusterDetails: orNull(EksClusterDetails),
  kubernetesDetails: orNull(KubernetesDetails),
  ecsClusterDetails: orNull(EcsClusterDetails),
  containerDetails: orNull(ContainerDetails),
  lambdaDetails: orNull(LambdaDetails),
  rdsDbInstanceDetails: orNull(RdsDbInstanceDetails),
  rdsLimitlessDbDetails: orNull(RdsLimitlessDbDetails),
  rdsDbUserDetails: orNull(RdsDbUserDetails),
});
/** @see GuardDutyResource */
export type GuardDutyResource = z.infer<typeof GuardDutyResource>;
