import { readFileSync } from 'node:fs';
import { loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBE_PERMISSIONS } from '../../../src/actions/eks/kube/api.js';
import { containEksNodeCordon, rollbackEksNodeCordon } from '../../../src/actions/eks/node-cordon.js';
import { containEksPodNetwork, rollbackEksPodNetwork } from '../../../src/actions/eks/pod-network.js';
import { irsaRole } from '../../../src/actions/eks/workload-role.js';
import { connectCluster } from '../../../src/actions/eks/kube/connect.js';
import {
  clusterRoute,
  NODE_PATH,
  node,
  objectRoute,
  POD,
  POD_PATH,
  pod,
  policiesRoute,
  SERVICE_ACCOUNT_PATH,
} from '../../kube-replay/cluster-routes.js';
import { fixture, type ReplayServer, startReplayServer } from '../../kube-replay/replay-server.js';
import { actionDeps, permissionOf, stepContext, testCredentials } from '../../kube-replay/step-context.js';

/*
 * deploy/kubernetes/isolator-rbac.yaml must grant exactly what the isolator's requests use: no less
 * (a containment would fail with 403 in a real cluster) and no more (least privilege). No
 * kube-apiserver is available from our registries: the requests are the recorded ones of a run of
 * every Kubernetes-side action against the local replay server.
 */

type Permissions = Record<string, Record<string, string[]>>;

const sorted = (permissions: Record<string, Record<string, readonly string[]>>): Permissions =>
  Object.fromEntries(
    Object.entries(permissions).map(([group, resources]) => [
      group,
      Object.fromEntries(Object.entries(resources).map(([resource, verbs]) => [resource, [...verbs].sort()])),
    ]),
  );

interface RbacObject {
  kind: string;
  metadata: { name: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

const manifest = loadAllYaml(
  readFileSync(new URL('../../../../../deploy/kubernetes/isolator-rbac.yaml', import.meta.url), 'utf8'),
) as RbacObject[];

/** The ClusterRole's rules as group → resource → verbs. */
function granted(): Permissions {
  const role = manifest.find((object) => object.kind === 'ClusterRole');
  const permissions: Permissions = {};
  for (const rule of role?.rules ?? []) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const verbs = new Set([...(permissions[group]?.[resource] ?? []), ...rule.verbs]);
        permissions[group] = { ...permissions[group], [resource]: [...verbs] };
      }
    }
  }
  return sorted(permissions);
}

describe('deploy/kubernetes/isolator-rbac.yaml', () => {
  let kube: ReplayServer;
  let eks: ReplayServer;

  beforeAll(async () => {
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
    clusterRoute(eks, kube);
  });
  afterAll(async () => {
    await kube.close();
    await eks.close();
  });

  it('grants exactly KUBE_PERMISSIONS, and binds them to the group ir:isolator', () => {
    // Act
    const rules = granted();

    // Assess
    expect(rules).toEqual(sorted(KUBE_PERMISSIONS));
    const binding = manifest.find((object) => object.kind === 'ClusterRoleBinding');
    const role = manifest.find((object) => object.kind === 'ClusterRole');
    expect(binding?.roleRef).toMatchObject({ kind: 'ClusterRole', name: role?.metadata.name });
    expect(binding?.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ir:isolator' },
    ]);
  });

  it('KUBE_PERMISSIONS is exactly what a run of every Kubernetes-side action requests', async () => {
    // Prepare
    const credentials = testCredentials();
    const context = <T extends Parameters<typeof stepContext>[0]>(action: T) =>
      stepContext(action, { credentials, endpoints: { eks: eks.url } });
    objectRoute(kube, POD_PATH, pod());
    objectRoute(kube, NODE_PATH, node());
    objectRoute(kube, SERVICE_ACCOUNT_PATH, fixture('kube/service-account.json'));
    policiesRoute(kube, 'ir-quarantine-inc-7f3a9c2e');
    const params = { clusterName: 'my-cluster', namespace: POD.namespace, podName: POD.name };

    // Act
    const isolated = await containEksPodNetwork(actionDeps())(params, context('contain.eks-pod-network'));
    const cordoned = await containEksNodeCordon()(params, context('contain.eks-node-cordon'));
    const preStateOf = (outcome: typeof isolated) =>
      outcome.kind === 'succeeded' ? (outcome.preState ?? {}) : {};
    await rollbackEksPodNetwork()(
      { originalStepId: 's-1', preState: preStateOf(isolated) },
      context('rollback.eks-pod-network'),
    );
    await rollbackEksNodeCordon()(
      { originalStepId: 's-2', preState: preStateOf(cordoned) },
      context('rollback.eks-node-cordon'),
    );
    await irsaRole(
      await connectCluster(context('contain.eks-workload-role'), 'my-cluster'),
      'default',
      'app-sa',
    );

    // Assess
    const used: Record<string, Record<string, string[]>> = {};
    for (const { group, resource, verb } of kube.requests.map(permissionOf)) {
      const verbs = new Set([...(used[group]?.[resource] ?? []), verb]);
      used[group] = { ...used[group], [resource]: [...verbs] };
    }
    expect(sorted(used)).toEqual(sorted(KUBE_PERMISSIONS));
  });
});
