import { EKSClient } from '@aws-sdk/client-eks';
import type { StepContext } from '@ir/runtime';
import { describeCluster } from '../eks/endpoint-state.js';
import type { ResourceTags } from './gate.js';

/**
 * An EKS cluster's tags (DescribeCluster), for every EKS containment: the endpoint, a pod's network, a
 * node's scheduling and a workload's role all belong to the cluster. A pod's own `ir/protected`
 * marker is read inside the cluster by the actions that reach it (eks/protected.ts).
 */
export async function clusterTags(
  client: StepContext['client'],
  clusterName: string,
): Promise<ResourceTags[]> {
  const { tags } = await describeCluster(await client(EKSClient), clusterName);
  return [{ key: `eks-cluster:${clusterName}`, tags }];
}
