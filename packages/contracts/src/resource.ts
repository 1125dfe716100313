import { z } from 'zod';
import { AwsRegion } from './primitives.js';

/**
 * The resource's own region when it differs from the finding's (a finding may name resources in
 * several regions); absent: the finding's region. Workers act in `step.target.region`, which the
 * planner takes from here.
 */
const ResourceRegion = AwsRegion.optional();

/** Resource tags as a plain map (sources send `[{key, value}]` lists or maps; we keep one form). */
export const Tags = z.record(z.string(), z.string());
/** @see Tags */
export type Tags = z.infer<typeof Tags>;

/** A security group attached to a network interface. */
export const SecurityGroupRef = z.object({
  groupId: z.string().min(1),
  groupName: z.string().optional(),
});
/** @see SecurityGroupRef */
export type SecurityGroupRef = z.infer<typeof SecurityGroupRef>;

/**
 * One ENI of an instance. Why per ENI: containment must change every interface and record each
 * one's groups for rollback (`ModifyInstanceAttribute` covers only the primary one).
 */
export const NetworkInterface = z.object({
  networkInterfaceId: z.string().min(1),
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
  securityGroups: z.array(SecurityGroupRef).default([]),
  privateIpv4: z.array(z.ipv4()).default([]),
  publicIpv4: z.array(z.ipv4()).default([]),
  ipv6: z.array(z.ipv6()).default([]),
});
/** @see NetworkInterface */
export type NetworkInterface = z.infer<typeof NetworkInterface>;

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
 * Any other resource (EKS cluster, Lambda function, RDS instance, ...). Kept so that the finding is
 * recorded and a person is told, even though no playbook contains it automatically.
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
  OtherResource,
]);
/** @see Resource */
export type Resource = z.infer<typeof Resource>;

/** The closed set of resource kinds. */
export type ResourceKind = Resource['kind'];

/**
 * A stable key for a resource, e.g. `ec2-instance:i-0abc`, `iam-access-key:role/Admin`,
 * `s3-bucket:logs`. Why: detection coalesces repeated findings by resource. Roles key by role name,
 * not by the temporary `ASIA...` key, so every session of one role coalesces. Unique within an
 * account; pair it with the account id across accounts.
 */
export function resourceKey(resource: Resource): string {
  switch (resource.kind) {
    case 'ec2-instance':
      return `ec2-instance:${resource.instanceId}`;
    case 'iam-access-key':
      return `iam-access-key:${iamPrincipalKey(resource)}`;
    case 's3-bucket':
      return `s3-bucket:${resource.bucketName}`;
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
