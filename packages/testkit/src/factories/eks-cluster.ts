import { CreateClusterCommand, CreateNodegroupCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import { createRole, createVpc, uniqueName } from './aws-resources.js';

export interface CreateEksClusterOptions {
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  /** A new unique name by default. */
  readonly clusterName?: string;
  /** The cluster's subnets; a new VPC's by default. */
  readonly subnetIds?: readonly string[];
  readonly endpointPublicAccess?: boolean;
  readonly endpointPrivateAccess?: boolean;
  readonly publicAccessCidrs?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Also create a managed node group `workers`. */
  readonly nodegroup?: boolean;
}

export interface CreatedEksCluster {
  readonly clusterName: string;
  readonly clusterRoleArn: string;
  readonly nodeRoleArn: string;
  readonly subnetIds: readonly string[];
}

/**
 * An EKS cluster (and optionally a node group), with its own cluster and node roles. Its public
 * endpoint is open to the whole internet by default, as EKS creates it. Note that the emulator's
 * endpoint and CA are placeholders: no Kubernetes API answers there.
 */
export async function createEksCluster(options: CreateEksClusterOptions): Promise<CreatedEksCluster> {
  const { eks, ec2, iam } = options;
  const subnetIds = options.subnetIds ?? (await createVpc({ ec2 })).subnetIds;
  const clusterRole = await createRole({ iam, trustedService: 'eks.amazonaws.com' });
  const nodeRole = await createRole({ iam, trustedService: 'ec2.amazonaws.com' });
  const clusterName = options.clusterName ?? uniqueName('ir-eks');
  await eks.send(
    new CreateClusterCommand({
      name: clusterName,
      version: '1.31',
      roleArn: clusterRole.arn,
      resourcesVpcConfig: {
        subnetIds: [...subnetIds],
        endpointPublicAccess: options.endpointPublicAccess ?? true,
        endpointPrivateAccess: options.endpointPrivateAccess ?? false,
        publicAccessCidrs: [...(options.publicAccessCidrs ?? ['0.0.0.0/0'])],
      },
      ...(options.tags ? { tags: { ...options.tags } } : {}),
    }),
  );
  if (options.nodegroup) {
    await eks.send(
      new CreateNodegroupCommand({
        clusterName,
        nodegroupName: 'workers',
        nodeRole: nodeRole.arn,
        subnets: [...subnetIds],
      }),
    );
  }
  return { clusterName, clusterRoleArn: clusterRole.arn, nodeRoleArn: nodeRole.arn, subnetIds };
}
