import {
  ApiException,
  type CoreV1Api,
  type NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1NetworkPolicy,
  type V1Node,
  type V1Pod,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { IsolatorError, ResourceNotFoundError } from '../../../errors.js';

/**
 * Every Kubernetes permission the isolator's requests need, by resource: what
 * deploy/kubernetes/isolator-rbac.yaml grants, exactly (a unit test holds the two together, and the
 * recorded-request tests check every request against this list). No `list`, `watch` or `delete` of a
 * pod: containment never evicts or deletes one (that would destroy evidence).
 */
export const KUBE_PERMISSIONS = {
  '': { pods: ['get', 'patch'], nodes: ['get', 'patch'], serviceaccounts: ['get'] },
  'networking.k8s.io': { networkpolicies: ['get', 'list', 'create', 'delete'] },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** The field manager our writes are recorded under in `managedFields`. */
export const FIELD_MANAGER = 'ir-isolator';

/** The label and annotation key that marks a pod protected (`ir/protected=true`). */
export const POD_PROTECTED_KEY = 'ir/protected';

/**
 * What a dry run sends: the API server's server-side dry run (`dryRun=All`): the request is
 * authenticated, authorised, validated and admitted, but nothing is stored.
 */
export const SERVER_DRY_RUN = 'All';

/** Options that send a patch as a JSON merge patch (RFC 7386), which every resource accepts. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status of a failed Kubernetes API call, or undefined for any other error. */
export function kubeStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * Runs one Kubernetes API call. A 401 or 403 is permanent and names what a person must set up (the
 * access entry and the RBAC of README "EKS clusters"); a 400 or 422 (the API server refused the
 * object) is permanent too. Anything else (404, 409, 429, 5xx, network) is rethrown for the caller or
 * the step worker's retry.
 */
export async function kubeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    const code = kubeStatus(error);
    if (code === 401 || code === 403) {
      throw new IsolatorError(
        `the Kubernetes API refused ${what} (HTTP ${code}): map the isolator's role to the group ir:isolator with an EKS access entry and apply deploy/kubernetes/isolator-rbac.yaml (services/isolator/README.md, EKS clusters)`,
        { retryable: false, reason: 'kube-forbidden', context: { status: code }, cause: error },
      );
    }
    if (code === 400 || code === 422) {
      throw new IsolatorError(`the Kubernetes API rejected ${what} (HTTP ${code})`, {
        retryable: false,
        reason: 'kube-invalid',
        context: { status: code, body: (error as ApiException<unknown>).body },
        cause: error,
      });
    }
    throw error;
  }
}

/** A 404 from the API server becomes a `ResourceNotFoundError` naming `what`; anything else is rethrown. */
async function orNotFound<T>(what: string, context: Record<string, unknown>, call: () => Promise<T>) {
  try {
    return await kubeCall(`reading ${what}`, call);
  } catch (error: unknown) {
    if (kubeStatus(error) === 404) throw new ResourceNotFoundError(`${what} not found`, context);
    throw error;
  }
}

/** The pod, or a `ResourceNotFoundError`. */
export function readPod(core: CoreV1Api, namespace: string, name: string): Promise<V1Pod> {
  return orNotFound(`pod ${namespace}/${name}`, { namespace, podName: name }, () =>
    core.readNamespacedPod({ name, namespace }),
  );
}

/** The node, or a `ResourceNotFoundError`. */
export function readNode(core: CoreV1Api, name: string): Promise<V1Node> {
  return orNotFound(`node ${name}`, { nodeName: name }, () => core.readNode({ name }));
}

/** The service account, or a `ResourceNotFoundError`. */
export function readServiceAccount(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<V1ServiceAccount> {
  return orNotFound(`service account ${namespace}/${name}`, { namespace, serviceAccountName: name }, () =>
    core.readNamespacedServiceAccount({ name, namespace }),
  );
}

/**
 * Every network policy of the namespace (`list`): NetworkPolicies add up, so the quarantine must know
 * which others select the pod and allow it traffic.
 */
export async function listNetworkPolicies(
  networking: NetworkingV1Api,
  namespace: string,
): Promise<V1NetworkPolicy[]> {
  const list = await kubeCall(`listing the network policies of namespace ${namespace}`, () =>
    networking.listNamespacedNetworkPolicy({ namespace }),
  );
  return list.items ?? [];
}

/** The network policy, or undefined when there is none of that name. */
export async function findNetworkPolicy(
  networking: NetworkingV1Api,
  namespace: string,
  name: string,
): Promise<V1NetworkPolicy | undefined> {
  try {
    return await kubeCall(`reading network policy ${namespace}/${name}`, () =>
      networking.readNamespacedNetworkPolicy({ name, namespace }),
    );
  } catch (error: unknown) {
    if (kubeStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Merge-patches a pod's metadata (labels, annotations; `null` removes a key). */
export function patchPodMetadata(
  core: CoreV1Api,
  namespace: string,
  name: string,
  metadata: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> },
  dryRun: boolean,
): Promise<V1Pod> {
  return kubeCall(`patching pod ${namespace}/${name}`, () =>
    core.patchNamespacedPod(
      {
        name,
        namespace,
        body: { metadata },
        fieldManager: FIELD_MANAGER,
        ...(dryRun ? { dryRun: SERVER_DRY_RUN } : {}),
      },
      MERGE_PATCH,
    ),
  );
}

/** Merge-patches a node (`spec.unschedulable`, our annotations). */
export function patchNode(core: CoreV1Api, name: string, body: object, dryRun: boolean): Promise<V1Node> {
  return kubeCall(`patching node ${name}`, () =>
    core.patchNode(
      { name, body, fieldManager: FIELD_MANAGER, ...(dryRun ? { dryRun: SERVER_DRY_RUN } : {}) },
      MERGE_PATCH,
    ),
  );
}

/** A label value (or the suffix of a name) made from an incident id: `[a-z0-9-]`, at most 40 characters. */
export function safeLabel(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return cleaned.length > 0 ? cleaned : 'incident';
}
