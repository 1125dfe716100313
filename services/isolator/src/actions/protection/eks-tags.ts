import { EKSClient } from '@aws-sdk/client-eks';
import { errorName, type StepContext } from '@ir/runtime';
import { describeCluster } from '../eks/endpoint-state.js';
import { roleTags } from './iam-tags.js';
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

/**
 * What `contain.eks-workload-role` changes: the cluster, and each IAM role the service account's EKS
 * Pod Identity associations name (the quarantine policy goes on those roles). When the cluster itself
 * is protected the roles are not read: the step is held either way. The IRSA role is named by an
 * annotation inside the cluster (read only through the Kubernetes API), so the gate does not see it;
 * the handler reports it. A role named by an association that no longer exists is left out.
 */
export async function workloadRoleTags(
  client: StepContext['client'],
  params: { clusterName: string; namespace: string; serviceAccountName: string },
  isProtected: (tags: Readonly<Record<string, string>>) => boolean,
): Promise<ResourceTags[]> {
  const cluster = await clusterTags(client, params.clusterName);
  if (cluster.some((resource) => isProtected(resource.tags))) return cluster;
  // Imported here: the other EKS containments' gate (the cluster's tags) never loads the Kubernetes client.
  const { podIdentityRoles, roleNameOf } = await import('../eks/workload-role.js');
  const arns = await podIdentityRoles(
    await client(EKSClient),
    params.clusterName,
    params.namespace,
    params.serviceAccountName,
  );
  const roles = await Promise.all(
    [...new Set(arns)].map((arn) =>
      roleTags(client, roleNameOf(arn)).catch((error: unknown) => {
        if (errorName(error) === 'ResourceNotFoundError') return [];
        throw error;
      }),
    ),
  );
  return [...cluster, ...roles.flat()];
}
