import type { V1LabelSelector, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { parsePreState } from '../pre-state.js';
import {
  FIELD_MANAGER,
  findNetworkPolicy,
  kubeCall,
  kubeStatus,
  listNetworkPolicies,
  patchPodMetadata,
  readPod,
  SERVER_DRY_RUN,
  safeLabel,
} from './kube/api.js';
import { connectCluster } from './kube/connect.js';
import { clusterProtected, refuseProtectedPod } from './protected.js';

/** The label that puts a pod under a quarantine policy, and our annotations that record it. */
export const QuarantineKey = {
  label: 'ir-quarantine',
  /** The incident that labelled the pod (the label value is shortened, this is the full id). */
  byAnnotation: 'ir/quarantined-by',
  /** The label's value before us, as JSON (`null`: absent), so a repeat reports the first run's. */
  priorAnnotation: 'ir/quarantine-prior-label',
} as const;

/** How a dry run is done, stated in its result. */
const DRY_RUN_MODE = `server-side dry run (dryRun=${SERVER_DRY_RUN}): the API server validates and admits each write without storing it`;

/** What `contain.eks-pod-network` replaces: the pod's `ir-quarantine` label, and the policy it creates. */
export const EksPodNetworkPreState = z.object({
  clusterName: z.string().min(1),
  namespace: z.string().min(1),
  podName: z.string().min(1),
  policyName: z.string().min(1),
  /** The pod's `ir-quarantine` label before containment (null: absent). */
  priorLabel: z.string().nullable(),
  /** False when the policy existed before (another pod of this incident in the namespace). */
  policyCreated: z.boolean(),
});
/** @see EksPodNetworkPreState */
export type EksPodNetworkPreState = z.infer<typeof EksPodNetworkPreState>;

/** The deny-all policy for one incident's label; ingress only from `forensicsCidr` when set. */
export function quarantinePolicy(
  name: string,
  label: string,
  forensicsCidr: string | undefined,
): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'ir-isolator' } },
    spec: {
      podSelector: { matchLabels: { [QuarantineKey.label]: label } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: forensicsCidr ? [{ _from: [{ ipBlock: { cidr: forensicsCidr } }] }] : [],
      egress: [],
    },
  };
}

/** Every way a policy read back differs from the quarantine it should be. */
function policyProblems(policy: V1NetworkPolicy | undefined, label: string, forensicsCidr?: string) {
  if (!policy) return ['the quarantine network policy does not exist'];
  const spec = policy.spec;
  const problems: string[] = [];
  const selector = spec?.podSelector;
  const matches = selector?.matchLabels ?? {};
  if (
    Object.keys(matches).length !== 1 ||
    matches[QuarantineKey.label] !== label ||
    selector?.matchExpressions?.length
  ) {
    problems.push(
      `the policy selects ${JSON.stringify(selector ?? {})}, not ${QuarantineKey.label}=${label}`,
    );
  }
  const types = [...(spec?.policyTypes ?? [])].sort().join(',');
  if (types !== 'Egress,Ingress')
    problems.push(`the policy's types are ${types || '(none)'}, not Ingress and Egress`);
  if ((spec?.egress ?? []).length > 0) problems.push('the policy allows egress');
  const ingress = (spec?.ingress ?? []).flatMap((rule) => [
    ...(rule.ports?.length ? ['ports'] : []),
    ...(rule._from ?? [{}]).map((peer) =>
      peer.ipBlock && !peer.ipBlock.except?.length ? peer.ipBlock.cidr : 'peer',
    ),
  ]);
  const allowed = forensicsCidr ? [forensicsCidr] : [];
  const extra = ingress.filter((peer) => !allowed.includes(peer));
  if (extra.length > 0) problems.push(`the policy allows ingress from ${extra.join(', ')}`);
  return problems;
}

/**
 * Refuses pods a network policy does not isolate or that we must not touch: `kube-system` (the
 * cluster's own components), host-network pods (they use the node's network namespace, which no
 * NetworkPolicy applies to), and a pod labelled by another incident.
 */
function refusePod(pod: V1Pod, where: string, incidentId: string): void {
  const namespace = pod.metadata?.namespace;
  if (namespace === 'kube-system') {
    throw new ContainmentRefusedError(
      `${where} is in kube-system: isolating the cluster's own components could take the cluster down; a person must decide (contain its node with contain.ec2-instance if needed)`,
      { namespace },
    );
  }
  if (pod.spec?.hostNetwork) {
    throw new ContainmentRefusedError(
      `${where} uses the host network: a NetworkPolicy does not apply to it, so it cannot be isolated this way; a person must contain its node ${pod.spec.nodeName ?? ''} instead (contain.ec2-instance)`.trim(),
      { nodeName: pod.spec.nodeName },
    );
  }
  const owner = pod.metadata?.annotations?.[QuarantineKey.byAnnotation];
  if (owner && owner !== incidentId) {
    throw new ContainmentRefusedError(
      `${where} was quarantined under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
      { owner },
    );
  }
}

/**
 * Whether a label selector selects a pod with these labels (`matchLabels` and `matchExpressions`,
 * ANDed; an empty selector selects every pod of the namespace). An operator we do not know counts as
 * selecting: better to refuse a quarantine than to report a pod cut off that is not.
 */
export function selects(
  selector: V1LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key] ?? '';
    if (operator === 'In' && !(has && values.includes(value))) return false;
    if (operator === 'NotIn' && has && values.includes(value)) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * The directions (`ingress`, `egress`) a policy allows some traffic in. `policyTypes` defaults as
 * the API server does: Ingress always, Egress when the policy has egress rules.
 */
function allowedDirections(policy: V1NetworkPolicy): string[] {
  const spec = policy.spec;
  const types = spec?.policyTypes ?? (spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  return [
    ...(types.includes('Ingress') && (spec?.ingress ?? []).length > 0 ? ['ingress'] : []),
    ...(types.includes('Egress') && (spec?.egress ?? []).length > 0 ? ['egress'] : []),
  ];
}

/**
 * The other policies of the namespace that select the pod (with the quarantine label it is about to
 * carry) and allow it traffic. NetworkPolicies add up (a connection is allowed when any policy
 * selecting the pod allows it), so while one of these exists a deny-all policy does not cut the pod
 * off, and reporting it isolated would be a false success (TRAPS 16).
 */
export function policiesAllowingPod(
  policies: readonly V1NetworkPolicy[],
  labels: Readonly<Record<string, string>>,
  ownPolicyName: string,
): { name: string; allows: string[] }[] {
  return policies.flatMap((policy) => {
    const name = policy.metadata?.name ?? '(unnamed)';
    if (name === ownPolicyName || !selects(policy.spec?.podSelector, labels)) return [];
    const allows = allowedDirections(policy);
    return allows.length > 0 ? [{ name, allows }] : [];
  });
}

/** The recorded prior label from our annotation, when this incident labelled the pod already. */
function recordedPrior(pod: V1Pod, incidentId: string): { value: string | null } | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  if (annotations[QuarantineKey.byAnnotation] !== incidentId) return undefined;
  const raw = annotations[QuarantineKey.priorAnnotation];
  if (raw === undefined) return undefined;
  try {
    const parsed = z.string().nullable().safeParse(JSON.parse(raw));
    return parsed.success ? { value: parsed.data } : undefined;
  } catch {
    // Not our JSON: treat as unrecorded (the current label is then the prior one).
    return undefined;
  }
}

/**
 * `contain.eks-pod-network`: creates the incident's deny-all NetworkPolicy in the pod's namespace
 * (first, so the pod is isolated the moment it carries the label), then labels the pod
 * `ir-quarantine=<incident>` with its previous value recorded in an annotation on the pod (TRAPS 24:
 * a repeat reports the first run's), and reads both back. Refuses a pod marked `ir/protected=true`
 * (read live: TRAPS 22), and, before changing anything, a pod that another policy of its namespace
 * selects and allows traffic ({@link policiesAllowingPod}: policies add up, so ours would not isolate it). The policy only
 * works where the cluster enforces network policies (the VPC CNI's network policy agent, Calico,
 * Cilium); the result says so.
 */
export function containEksPodNetwork(deps: ActionDeps): StepHandler<'contain.eks-pod-network'> {
  return async ({ clusterName, namespace, podName }, context) => {
    const cluster = await connectCluster(context, clusterName);
    const where = `pod ${namespace}/${podName} in EKS cluster ${clusterName}`;
    const pod = await readPod(cluster.core, namespace, podName);
    refuseProtectedPod(pod, where);
    refusePod(pod, where, context.incidentId);

    const label = safeLabel(context.incidentId);
    const policyName = `ir-quarantine-${label}`;
    const forensicsCidr = deps.config.IR_FORENSICS_CIDR;
    const current = pod.metadata?.labels?.[QuarantineKey.label] ?? null;
    const recorded = recordedPrior(pod, context.incidentId);
    const priorLabel = recorded ? recorded.value : current === label ? null : current;
    const allowing = policiesAllowingPod(
      await listNetworkPolicies(cluster.networking, namespace),
      { ...(pod.metadata?.labels ?? {}), [QuarantineKey.label]: label },
      policyName,
    );
    if (allowing.length > 0) {
      const named = allowing.map((policy) => `${policy.name} (${policy.allows.join(', ')})`).join(', ');
      throw new ContainmentRefusedError(
        `network policies add up, and ${named} in namespace ${namespace} also select ${where} and allow it traffic: a deny-all policy would not cut it off, so nothing was changed; take the pod out of their selection or contain its node (contain.ec2-instance), a person must decide`,
        { namespace, podName, policies: allowing },
      );
    }
    const existing = await findNetworkPolicy(cluster.networking, namespace, policyName);
    const wanted = quarantinePolicy(policyName, label, forensicsCidr);
    if (existing && policyProblems(existing, label, forensicsCidr).length > 0) {
      throw new ContainmentRefusedError(
        `network policy ${namespace}/${policyName} exists but is not the quarantine (${policyProblems(existing, label, forensicsCidr).join('; ')}); a person must look at it`,
        { namespace, policyName },
      );
    }
    const preState: EksPodNetworkPreState = {
      clusterName,
      namespace,
      podName,
      policyName,
      priorLabel,
      policyCreated: !existing,
    };
    const labelPending = current !== label;
    const changes = [
      ...(existing
        ? []
        : [
            `create network policy ${namespace}/${policyName} denying all ingress${forensicsCidr ? ` except from ${forensicsCidr}` : ''} and all egress of pods labelled ${QuarantineKey.label}=${label}`,
          ]),
      ...(labelPending
        ? [`label ${where} ${QuarantineKey.label}=${label} (was ${priorLabel ?? 'absent'})`]
        : []),
    ];
    const result = {
      clusterName,
      clusterProtected: clusterProtected(cluster),
      namespace,
      podName,
      nodeName: pod.spec?.nodeName ?? null,
      policyName,
      label: `${QuarantineKey.label}=${label}`,
      forensicsCidr: forensicsCidr ?? null,
      alreadyContained: !!existing && !labelPending,
      note: 'a NetworkPolicy is enforced only where the cluster runs a network policy engine (the VPC CNI network policy agent, Calico, Cilium); established connections may survive until they close',
    };

    const { dryRun } = context;
    if (!existing) await createPolicy(cluster.networking, namespace, wanted, dryRun);
    if (labelPending) {
      await patchPodMetadata(
        cluster.core,
        namespace,
        podName,
        {
          labels: { [QuarantineKey.label]: label },
          annotations: {
            [QuarantineKey.byAnnotation]: context.incidentId,
            [QuarantineKey.priorAnnotation]: JSON.stringify(priorLabel),
          },
        },
        dryRun,
      );
    }
    if (dryRun) {
      return succeeded(
        { ...result, dryRun: true, dryRunMode: DRY_RUN_MODE, wouldChange: changes },
        { preState },
      );
    }

    const readBack = await readBackUntilVerified(
      async () => {
        const policy = await findNetworkPolicy(cluster.networking, namespace, policyName);
        const now = await readPod(cluster.core, namespace, podName);
        const seen = now.metadata?.labels?.[QuarantineKey.label] ?? null;
        const problems = [
          ...policyProblems(policy, label, forensicsCidr),
          ...(seen === label
            ? []
            : [`the pod's ${QuarantineKey.label} label is ${seen ?? 'absent'}, not ${label}`]),
        ];
        return {
          observed: { policy: policy ? { name: policyName, spec: policy.spec } : null, podLabel: seen },
          problems,
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`network quarantine of ${where}`, readBack.problems, {
        namespace,
        podName,
      });
    }
    context.logger.info({ clusterName, namespace, podName, policyName }, 'eks_pod_network_isolated');
    return succeeded({ ...result, changes }, { preState, verified: readBack.observed });
  };
}

/** Creates the policy; one created meanwhile by a concurrent delivery (409) is checked by the read-back. */
async function createPolicy(
  networking: Awaited<ReturnType<typeof connectCluster>>['networking'],
  namespace: string,
  body: V1NetworkPolicy,
  dryRun: boolean,
): Promise<void> {
  try {
    await kubeCall(`creating network policy ${namespace}/${body.metadata?.name}`, () =>
      networking.createNamespacedNetworkPolicy({
        namespace,
        body,
        fieldManager: FIELD_MANAGER,
        ...(dryRun ? { dryRun: SERVER_DRY_RUN } : {}),
      }),
    );
  } catch (error: unknown) {
    if (kubeStatus(error) !== 409) throw error;
  }
}

/**
 * `rollback.eks-pod-network`: puts the pod's `ir-quarantine` label back as recorded (removing it when
 * it was absent) with our annotations, then deletes the policy, and reads both back. A pod deleted
 * since is reported in `notRestored`. The policy is shared by this incident's quarantined pods in the
 * namespace: rolling back one pod's step lifts it for all of them (an incident is rolled back whole).
 */
export function rollbackEksPodNetwork(): StepHandler<'rollback.eks-pod-network'> {
  return async (params, context) => {
    const preState = parsePreState(EksPodNetworkPreState, params.preState, 'rollback.eks-pod-network');
    const { clusterName, namespace, podName, policyName, priorLabel } = preState;
    const cluster = await connectCluster(context, clusterName);
    const { dryRun } = context;
    const changes: string[] = [];
    const notRestored: { item: string; reason: string }[] = [];
    let pod: V1Pod | undefined;
    try {
      pod = await readPod(cluster.core, namespace, podName);
    } catch (error: unknown) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundError') throw error;
      notRestored.push({ item: `pod ${namespace}/${podName}`, reason: 'the pod no longer exists' });
    }
    const annotations = pod?.metadata?.annotations ?? {};
    if (pod && annotations[QuarantineKey.byAnnotation] !== undefined) {
      const seen = pod.metadata?.labels?.[QuarantineKey.label] ?? null;
      if (seen !== priorLabel)
        changes.push(
          `set label ${QuarantineKey.label} of pod ${namespace}/${podName} back to ${priorLabel ?? 'absent'}`,
        );
      changes.push(`remove annotations ${QuarantineKey.byAnnotation}, ${QuarantineKey.priorAnnotation}`);
      await patchPodMetadata(
        cluster.core,
        namespace,
        podName,
        {
          labels: { [QuarantineKey.label]: priorLabel },
          annotations: { [QuarantineKey.byAnnotation]: null, [QuarantineKey.priorAnnotation]: null },
        },
        dryRun,
      );
    }
    const policy = await findNetworkPolicy(cluster.networking, namespace, policyName);
    if (policy) {
      changes.push(`delete network policy ${namespace}/${policyName}`);
      try {
        await kubeCall(`deleting network policy ${namespace}/${policyName}`, () =>
          cluster.networking.deleteNamespacedNetworkPolicy({
            name: policyName,
            namespace,
            ...(dryRun ? { dryRun: SERVER_DRY_RUN } : {}),
          }),
        );
      } catch (error: unknown) {
        if (kubeStatus(error) !== 404) throw error;
      }
    }
    const result = { clusterName, namespace, podName, policyName, notRestored };
    if (dryRun) return succeeded({ ...result, dryRun: true, dryRunMode: DRY_RUN_MODE, wouldChange: changes });

    const readBack = await readBackUntilVerified(
      async () => {
        const left = await findNetworkPolicy(cluster.networking, namespace, policyName);
        const now = pod ? await readPod(cluster.core, namespace, podName) : undefined;
        const seen = now?.metadata?.labels?.[QuarantineKey.label] ?? null;
        const problems = [
          ...(left ? [`network policy ${namespace}/${policyName} still exists`] : []),
          ...(now && seen !== priorLabel
            ? [`the pod's ${QuarantineKey.label} label is ${seen ?? 'absent'}, not ${priorLabel ?? 'absent'}`]
            : []),
        ];
        return { observed: { policyExists: !!left, podLabel: now ? seen : undefined }, problems };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(
        `rollback of the network quarantine of pod ${namespace}/${podName}`,
        readBack.problems,
      );
    }
    context.logger.info({ clusterName, namespace, podName, policyName }, 'eks_pod_network_restored');
    return succeeded({ ...result, changes }, { verified: readBack.observed });
  };
}
