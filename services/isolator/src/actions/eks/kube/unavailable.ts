import { skipped, type StepHandler } from '@ir/runtime';
import type { ActionDeps } from '../../action-deps.js';

/** The Kubernetes-side containments, and what a person does instead when the isolator cannot reach the API. */
type KubernetesAction = 'contain.eks-pod-network' | 'contain.eks-node-cordon';

const byHand: Record<KubernetesAction, string> = {
  'contain.eks-pod-network':
    'label the pod and apply a deny-all NetworkPolicy selecting it by hand (services/isolator/README.md, "EKS clusters")',
  'contain.eks-node-cordon': "cordon the pod's node by hand (kubectl cordon <node>)",
};

/**
 * `handler` when the isolator reaches Kubernetes APIs (`IR_EKS_KUBERNETES_API=enabled`, the
 * default); otherwise a handler that does not try and answers skipped with a reason naming the setting
 * and what a person must do, so the incident records the containment as not done, never as done.
 * Nothing is changed, so there is nothing to roll back.
 */
export function whenKubernetesReachable<A extends KubernetesAction>(
  deps: ActionDeps,
  action: A,
  handler: StepHandler<A>,
): StepHandler<A> {
  if (deps.config.IR_EKS_KUBERNETES_API === 'enabled') return handler;
  return async (params) =>
    skipped(
      `the isolator does not reach Kubernetes APIs (IR_EKS_KUBERNETES_API=unavailable), so ${action} did not run: ${byHand[action]}`,
      { ...(params as Record<string, unknown>), kubernetesApi: 'unavailable' },
    );
}
