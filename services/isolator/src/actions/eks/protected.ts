import type { V1Pod } from '@kubernetes/client-node';
import { ContainmentRefusedError } from '../../errors.js';
import { POD_PROTECTED_KEY } from './kube/api.js';
import { type EksCluster, isProtectedCluster } from './kube/connect.js';

/**
 * Refuses a pod marked `ir/protected=true` (a label or an annotation), read live from the API server
 * (TRAPS 22). Why refuse: the marker lives only in the cluster, so the coordinator, which holds
 * protected resources for approval from the finding's tags, never sees it; and a command does not
 * carry its approval, so the isolator cannot tell an approved step from another. A person contains a
 * pod its owners marked so.
 */
export function refuseProtectedPod(pod: V1Pod, where: string): void {
  const marked =
    pod.metadata?.labels?.[POD_PROTECTED_KEY] === 'true' ||
    pod.metadata?.annotations?.[POD_PROTECTED_KEY] === 'true';
  if (marked) {
    throw new ContainmentRefusedError(
      `${where} is marked ${POD_PROTECTED_KEY}=true: it is not changed automatically; a person must decide`,
      { podName: pod.metadata?.name, namespace: pod.metadata?.namespace },
    );
  }
}

/**
 * Whether the cluster carries `ir:protected=true`, read live from `DescribeCluster` and reported in
 * the result. Not refused here: the finding carries the cluster's tags (`eks-workload` and
 * `eks-cluster` resources), the coordinator holds the step for two approvers on them, and a step that
 * arrives has been approved (the isolator cannot tell; see the README's decisions).
 */
export function clusterProtected(cluster: Pick<EksCluster, 'tags'>): boolean {
  return isProtectedCluster(cluster);
}
