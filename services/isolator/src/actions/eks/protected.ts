import type { V1Pod } from '@kubernetes/client-node';
import { ContainmentRefusedError } from '../../errors.js';
import { POD_PROTECTED_KEY } from './kube/api.js';
import { type EksCluster, isProtectedCluster } from './kube/connect.js';

/**
 * Refuses a pod marked `ir/protected=true` (a label or an annotation), read live from the API server
 * (TRAPS 22). Why refuse rather than hold: the marker is a Kubernetes label, not an AWS tag, and
 * the protected-resource gate (actions/protection/) reads AWS tags before the handler runs; a pod's
 * marker is seen only here, inside the handler. A person contains a pod its owners marked so.
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
 * the result. Not refused here: the protected-resource gate (actions/protection/) has already held a
 * step on a protected cluster unless two people approved it for `protected-resource`.
 */
export function clusterProtected(cluster: Pick<EksCluster, 'tags'>): boolean {
  return isProtectedCluster(cluster);
}
