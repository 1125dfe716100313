import { type Answer, fixture, type ReplayServer, status } from './replay-server.js';

/** The recorded pod, node and service account (test/fixtures/kube). */
export const POD = { namespace: 'default', name: 'nginx-5c4d9b8f7-abcde' } as const;
export const NODE_NAME = 'ip-192-168-12-34.us-east-1.compute.internal';
export const POD_PATH = `/api/v1/namespaces/${POD.namespace}/pods/${POD.name}`;
export const NODE_PATH = `/api/v1/nodes/${NODE_NAME}`;
export const POLICIES_PATH = `/apis/networking.k8s.io/v1/namespaces/${POD.namespace}/networkpolicies`;
export const SERVICE_ACCOUNT_PATH = `/api/v1/namespaces/${POD.namespace}/serviceaccounts/app-sa`;

type Json = Record<string, unknown>;

/** RFC 7386 JSON merge patch, as the API server applies `application/merge-patch+json`. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Json =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Serialises like the API server: empty lists are omitted (`omitempty`). */
function omitEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(omitEmpty);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Json)
      .filter(([, item]) => !(Array.isArray(item) && item.length === 0))
      .map(([key, item]) => [key, omitEmpty(item)]),
  );
}

const bumped = (object: Json): Json => {
  const metadata = (object.metadata ?? {}) as Json;
  return {
    ...object,
    metadata: { ...metadata, resourceVersion: String(Number(metadata.resourceVersion ?? 1) + 1) },
  };
};

/**
 * One object at `path`, starting from a recorded answer: GET answers it; PATCH (a merge patch, as the
 * isolator sends) answers and keeps the patched object, unless `dryRun=All` (then it answers the
 * patched object and keeps the old one, as the API server's dry run does).
 */
export function objectRoute(server: ReplayServer, path: string, initial: Json): { current: () => Json } {
  let current = initial;
  server.on('GET', path, () => ({ status: 200, body: current }));
  server.on('PATCH', path, (request): Answer => {
    if (request.contentType !== 'application/merge-patch+json') {
      const message = `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`;
      return {
        status: 415,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message,
          reason: 'UnsupportedMediaType',
          code: 415,
        },
      };
    }
    const patched = bumped(mergePatch(current, request.body) as Json);
    if (request.query.dryRun !== 'All') current = patched;
    return { status: 200, body: patched };
  });
  return { current: () => current };
}

/**
 * The network policies of the pod's namespace: POST creates (409 when the name exists), GET and
 * DELETE act on one by name (404 when absent), GET of the collection lists ours with `others` (a
 * NetworkPolicyList as the API server answers it); a dry run stores nothing.
 */
export function policiesRoute(
  server: ReplayServer,
  name: string,
  existing?: Json,
  others: readonly Json[] = [],
): { current: () => Json | undefined } {
  let current = existing;
  const itemPath = `${POLICIES_PATH}/${name}`;
  const recorded = fixture<Json>('kube/network-policy.json');
  const list = fixture<Json>('kube/network-policy-list.json');
  server.on('GET', POLICIES_PATH, () => ({
    status: 200,
    body: { ...list, items: [...(current ? [current] : []), ...others] },
  }));
  server.on('POST', POLICIES_PATH, (request): Answer => {
    if (current) return status(409, 'networkpolicies', name);
    const body = request.body as Json;
    const created = omitEmpty({
      ...body,
      metadata: { ...(recorded.metadata as Json), ...(body.metadata as Json), namespace: POD.namespace },
    }) as Json;
    if (request.query.dryRun !== 'All') current = created;
    return { status: 201, body: created };
  });
  server.on('GET', itemPath, () =>
    current ? { status: 200, body: current } : status(404, 'networkpolicies', name),
  );
  server.on('DELETE', itemPath, (request): Answer => {
    if (!current) return status(404, 'networkpolicies', name);
    if (request.query.dryRun !== 'All') current = undefined;
    return status(200, 'networkpolicies', name);
  });
  return { current: () => current };
}

/** DescribeCluster of `my-cluster` pointing at the kube replay server, with `tags`. */
export function clusterRoute(
  eks: ReplayServer,
  kube: ReplayServer,
  tags: Record<string, string> = { team: 'payments' },
) {
  const described = fixture<{ cluster: Json }>('eks/describe-cluster.json');
  eks.on('GET', '/clusters/my-cluster', {
    status: 200,
    body: {
      cluster: {
        ...described.cluster,
        endpoint: kube.url,
        certificateAuthority: { data: kube.caData },
        tags,
      },
    },
  });
}

/** The recorded pod with `change` merged in. */
export function pod(change: Json = {}): Json {
  return mergePatch(fixture('kube/pod.json'), change) as Json;
}

/** The recorded node with `change` merged in. */
export function node(change: Json = {}): Json {
  return mergePatch(fixture('kube/node.json'), change) as Json;
}

/** Requests that write (anything but GET). */
export const writes = (server: ReplayServer) => server.requests.filter((request) => request.method !== 'GET');
