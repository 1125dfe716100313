import { z } from 'zod';
import { AwsRegion } from './primitives.js';

/*
 * Building blocks shared by the resource kinds (resource.ts, resource-workloads.ts,
 * resource-data-stores.ts): tags, ENIs, a host instance, a container.
 */

/**
 * The resource's own region when it differs from the finding's (a finding may name resources in
 * several regions); absent: the finding's region. Workers act in `step.target.region`, which the
 * planner takes from here.
 */
export const ResourceRegion = AwsRegion.optional();

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
 * One ENI of an instance (or of an ECS task in `awsvpc` mode). Why per ENI: containment must change
 * every interface and record each one's groups for rollback (`ModifyInstanceAttribute` covers only
 * the primary one).
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

/**
 * The EC2 instance a workload runs on: an EKS node, the container instance of an ECS task on the EC2
 * launch type, the host of a Docker container. Why embedded, not a separate `ec2-instance`
 * resource: the finding is about the workload; a playbook that contains the node does so as a step
 * of the workload's incident, through the same EC2 path, rather than by the finding matching an EC2
 * playbook on its own.
 */
export const HostInstance = z.object({
  instanceId: z.string().min(1),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
  iamInstanceProfileArn: z.string().optional(),
  tags: Tags.default({}),
  networkInterfaces: z.array(NetworkInterface).default([]),
});
/** @see HostInstance */
export type HostInstance = z.infer<typeof HostInstance>;

/** A container of a task, pod or host, as GuardDuty (`Container`) or OCSF describe it. */
export const ContainerInfo = z.object({
  /** The runtime's container id (Docker/containerd), when known. */
  containerId: z.string().optional(),
  name: z.string().optional(),
  image: z.string().optional(),
  /** `docker`, `containerd`, ... */
  runtime: z.string().optional(),
  /** `securityContext.privileged`: a privileged container can reach its host. */
  privileged: z.boolean().optional(),
});
/** @see ContainerInfo */
export type ContainerInfo = z.infer<typeof ContainerInfo>;
