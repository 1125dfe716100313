import { z } from 'zod';
import { ContainerInfo, HostInstance, NetworkInterface, ResourceRegion, Tags } from './resource-parts.js';

/*
 * Compute workloads a finding may name besides an EC2 instance: ECS clusters and tasks, EKS clusters
 * and workloads, Lambda functions and stand-alone containers. Each keeps what GuardDuty (or OCSF)
 * says about it, so that a playbook step can act on it without a second look-up of the finding.
 */

/** An ECS cluster named by a finding without a task (GuardDuty `ECSCluster` with no `taskDetails`). */
export const EcsClusterResource = z.object({
  kind: z.literal('ecs-cluster'),
  clusterName: z.string().min(1),
  clusterArn: z.string().optional(),
  status: z.string().optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see EcsClusterResource */
export type EcsClusterResource = z.infer<typeof EcsClusterResource>;

/**
 * An ECS task (GuardDuty `ecsClusterDetails.taskDetails`, OCSF `AWS::ECS::Task`). `networkInterfaces`
 * holds the task's own ENIs (`awsvpc` mode, Fargate) when the source gives them; GuardDuty's
 * `EcsTaskDetails` does not, so a containment step describes the task to find them. `host` is the
 * container instance (EC2 launch type) when the finding names it. `tags` are the task's tags, with
 * the cluster's tags under them (a protected cluster protects its tasks).
 */
export const EcsTaskResource = z.object({
  kind: z.literal('ecs-task'),
  taskArn: z.string().min(1),
  clusterName: z.string().optional(),
  clusterArn: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  /** The task definition revision GuardDuty reports as `version`. */
  taskDefinitionVersion: z.string().optional(),
  /** `FARGATE` or `EC2`. */
  launchType: z.string().optional(),
  startedBy: z.string().optional(),
  /** `service:<name>` for a task of a service, `family:<name>` otherwise. */
  group: z.string().optional(),
  containers: z.array(ContainerInfo).default([]),
  networkInterfaces: z.array(NetworkInterface).default([]),
  host: HostInstance.optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see EcsTaskResource */
export type EcsTaskResource = z.infer<typeof EcsTaskResource>;

/** An EKS cluster named by a finding about no particular workload (most audit-log findings). */
export const EksClusterResource = z.object({
  kind: z.literal('eks-cluster'),
  clusterName: z.string().min(1),
  clusterArn: z.string().optional(),
  vpcId: z.string().optional(),
  status: z.string().optional(),
  /** The node the activity ran on, when the finding names one without a workload. */
  node: HostInstance.optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see EksClusterResource */
export type EksClusterResource = z.infer<typeof EksClusterResource>;

/**
 * A Kubernetes workload in an EKS cluster (GuardDuty `kubernetesWorkloadDetails`): usually a pod
 * (`workloadType: pods`), sometimes a deployment, job or daemon set. `node` is the EC2 instance it
 * runs on (runtime findings give it), `serviceAccountName` names the identity whose IRSA or
 * pod-identity role the pod holds, `labels` are the pod's labels when the source gives them (a
 * network policy isolating the pod selects by them). `tags` are the cluster's tags.
 */
export const EksWorkloadResource = z.object({
  kind: z.literal('eks-workload'),
  clusterName: z.string().min(1),
  clusterArn: z.string().optional(),
  namespace: z.string().min(1),
  workloadName: z.string().min(1),
  workloadType: z.string().min(1),
  uid: z.string().optional(),
  serviceAccountName: z.string().optional(),
  hostNetwork: z.boolean().optional(),
  containers: z.array(ContainerInfo).default([]),
  labels: Tags.default({}),
  node: HostInstance.optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see EksWorkloadResource */
export type EksWorkloadResource = z.infer<typeof EksWorkloadResource>;

/** A Lambda function's network placement (`VpcConfig`), when it runs in a VPC. */
export const LambdaVpcConfig = z.object({
  vpcId: z.string().optional(),
  subnetIds: z.array(z.string().min(1)).default([]),
  securityGroups: z
    .array(z.object({ groupId: z.string().min(1), groupName: z.string().optional() }))
    .default([]),
});
/** @see LambdaVpcConfig */
export type LambdaVpcConfig = z.infer<typeof LambdaVpcConfig>;

/**
 * A Lambda function (GuardDuty `lambdaDetails`). `functionArn` is kept without a version or alias
 * qualifier; the qualifier GuardDuty reports (`functionVersion`, e.g. `$LATEST` or `7`) is in
 * `version`. `roleArn` is the execution role, whose sessions a containment revokes.
 */
export const LambdaFunctionResource = z.object({
  kind: z.literal('lambda-function'),
  functionName: z.string().min(1),
  functionArn: z.string().optional(),
  version: z.string().optional(),
  roleArn: z.string().optional(),
  revisionId: z.string().optional(),
  vpcConfig: LambdaVpcConfig.optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see LambdaFunctionResource */
export type LambdaFunctionResource = z.infer<typeof LambdaFunctionResource>;

/**
 * A container outside ECS and EKS (GuardDuty `Container` resource type: Runtime Monitoring of a
 * Docker container on an EC2 instance). `host` is that instance.
 */
export const ContainerResource = z.object({
  kind: z.literal('container'),
  containerId: z.string().min(1),
  name: z.string().optional(),
  image: z.string().optional(),
  runtime: z.string().optional(),
  privileged: z.boolean().optional(),
  host: HostInstance.optional(),
  tags: Tags.default({}),
  region: ResourceRegion,
});
/** @see ContainerResource */
export type ContainerResource = z.infer<typeof ContainerResource>;
