import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepOutcome } from '@ir/runtime';
import {
  containEksPodNetwork,
  QuarantineKey,
  rollbackEksPodNetwork,
} from '../../../src/actions/eks/pod-network.js';
import { ContainmentRefusedError } from '../../../src/errors.js';
import {
  clusterRoute,
  objectRoute,
  POD,
  POD_PATH,
  POLICIES_PATH,
  pod,
  policiesRoute,
  writes,
} from '../../kube-replay/cluster-routes.js';
import { type ReplayServer, startReplayServer } from '../../kube-replay/replay-server.js';
import { actionDeps, notPermitted, stepContext, testCredentials } from '../../kube-replay/step-context.js';

/*
 * No kube-apiserver is available from our registries: these run on recorded requests. The API
 * server is a local HTTPS server answering with recorded Pod, NetworkPolicy and Status objects
 * (test/fixtures/kube) and keeping what the isolator writes; the tests assert on the requests the
 * client made and on the action's result and pre-state.
 */

const INCIDENT = 'inc-7f3a9c2e';
const POLICY = `ir-quarantine-${INCIDENT}`;
const params = { clusterName: 'my-cluster', namespace: POD.namespace, podName: POD.name };

function succeededOf(outcome: StepOutcome) {
  if (outcome.kind !== 'succeeded') throw new Error(`expected succeeded, got ${outcome.kind}`);
  return outcome;
}

describe('contain.eks-pod-network and its rollback (recorded kube-apiserver)', () => {
  let kube: ReplayServer;
  let eks: ReplayServer;
  const credentials = testCredentials();
  const context = (options: { dryRun?: boolean; incidentId?: string } = {}) =>
    stepContext('contain.eks-pod-network', {
      credentials,
      endpoints: { eks: eks.url },
      incidentId: INCIDENT,
      ...options,
    });
  const rollbackContext = (options: { dryRun?: boolean } = {}) =>
    stepContext('rollback.eks-pod-network', {
      credentials,
      endpoints: { eks: eks.url },
      incidentId: INCIDENT,
      ...options,
    });

  beforeEach(async () => {
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
    clusterRoute(eks, kube);
  });
  afterEach(async () => {
    await kube.close();
    await eks.close();
  });

  it('creates the deny-all policy first, then labels the pod with a merge patch, and reads both back', async () => {
    // Prepare
    const podState = objectRoute(kube, POD_PATH, pod());
    const policies = policiesRoute(kube, POLICY);
    const contain = containEksPodNetwork(actionDeps({ IR_FORENSICS_CIDR: '10.9.0.0/24' }));

    // Act
    const outcome = succeededOf(await contain(params, context()));

    // Assess: the writes, in order, and what they carried.
    const sent = writes(kube);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST ${POLICIES_PATH}`,
      `PATCH ${POD_PATH}`,
    ]);
    const [create, patch] = sent;
    expect(create?.body).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: POLICY },
      spec: {
        podSelector: { matchLabels: { [QuarantineKey.label]: INCIDENT } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.9.0.0/24' } }] }],
        egress: [],
      },
    });
    expect(create?.query.dryRun).toBeUndefined();
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toEqual({
      metadata: {
        labels: { [QuarantineKey.label]: INCIDENT },
        annotations: { [QuarantineKey.byAnnotation]: INCIDENT, [QuarantineKey.priorAnnotation]: 'null' },
      },
    });
    // Read back after the writes, and every request within the ClusterRole.
    expect(kube.requests.slice(-2).map((request) => request.method)).toEqual(['GET', 'GET']);
    expect(notPermitted(kube.requests)).toEqual([]);
    // The state the server kept, the result and the pre-state.
    expect((podState.current().metadata as { labels: Record<string, string> }).labels).toMatchObject({
      app: 'nginx',
      [QuarantineKey.label]: INCIDENT,
    });
    expect(policies.current()).toBeDefined();
    expect(outcome.preState).toEqual({
      ...params,
      policyName: POLICY,
      priorLabel: null,
      policyCreated: true,
    });
    expect(outcome.result).toMatchObject({
      policyName: POLICY,
      label: `${QuarantineKey.label}=${INCIDENT}`,
      nodeName: 'ip-192-168-12-34.us-east-1.compute.internal',
      alreadyContained: false,
    });
    expect(outcome.verified).toMatchObject({ podLabel: INCIDENT });
  });

  it('without a forensics CIDR the policy allows no ingress at all', async () => {
    // Prepare
    objectRoute(kube, POD_PATH, pod());
    policiesRoute(kube, POLICY);

    // Act
    await containEksPodNetwork(actionDeps())(params, context());

    // Assess
    const create = writes(kube).find((request) => request.method === 'POST');
    expect((create?.body as { spec?: unknown } | undefined)?.spec).toEqual({
      podSelector: { matchLabels: { [QuarantineKey.label]: INCIDENT } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });
  });

  it('refuses, changing nothing, when another policy selects the pod and allows it traffic (policies add up)', async () => {
    // Prepare: the namespace's own policy lets the web pods (app=nginx) receive traffic on 80
    objectRoute(kube, POD_PATH, pod());
    const allowWeb = {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'allow-web', namespace: POD.namespace },
      spec: {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['nginx', 'api'] }] },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      },
    };
    policiesRoute(kube, POLICY, undefined, [allowWeb]);

    // Act
    const attempt = containEksPodNetwork(actionDeps())(params, context());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ContainmentRefusedError);
    await expect(attempt).rejects.toThrow(/allow-web \(ingress\).*would not cut it off/);
    expect(writes(kube)).toEqual([]);
    expect(kube.requests.map((request) => `${request.method} ${request.path}`)).toContain(
      `GET ${POLICIES_PATH}`,
    );
  });

  it('goes ahead when the other policies select other pods or only deny', async () => {
    // Prepare: one policy for the database pods, one default-deny for every pod of the namespace
    objectRoute(kube, POD_PATH, pod());
    const others = [
      {
        metadata: { name: 'allow-db' },
        spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}], policyTypes: ['Ingress'] },
      },
      { metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    ];
    policiesRoute(kube, POLICY, undefined, others);

    // Act
    const outcome = succeededOf(await containEksPodNetwork(actionDeps())(params, context()));

    // Assess
    expect(outcome.result).toMatchObject({ policyName: POLICY, alreadyContained: false });
    expect(writes(kube).map((request) => request.method)).toEqual(['POST', 'PATCH']);
  });

  it('a repeat changes nothing and reports the first run’s prior label', async () => {
    // Prepare: the pod had ir-quarantine=old before the first run.
    objectRoute(kube, POD_PATH, pod({ metadata: { labels: { [QuarantineKey.label]: 'old' } } }));
    policiesRoute(kube, POLICY);
    const contain = containEksPodNetwork(actionDeps());
    const first = succeededOf(await contain(params, context()));
    const before = writes(kube).length;

    // Act
    const second = succeededOf(await contain(params, context()));

    // Assess
    expect(writes(kube).length).toBe(before);
    expect(first.preState).toMatchObject({ priorLabel: 'old', policyCreated: true });
    expect(second.preState).toMatchObject({ priorLabel: 'old', policyCreated: false });
    expect(second.result).toMatchObject({ alreadyContained: true });
  });

  it('dry-run sends each write as a server-side dry run (dryRun=All) and stores nothing', async () => {
    // Prepare
    const podState = objectRoute(kube, POD_PATH, pod());
    const policies = policiesRoute(kube, POLICY);

    // Act
    const outcome = succeededOf(await containEksPodNetwork(actionDeps())(params, context({ dryRun: true })));

    // Assess
    const sent = writes(kube);
    expect(sent.map((request) => [request.method, request.query.dryRun])).toEqual([
      ['POST', 'All'],
      ['PATCH', 'All'],
    ]);
    expect(policies.current()).toBeUndefined();
    expect((podState.current().metadata as { labels: Record<string, string> }).labels).not.toHaveProperty(
      QuarantineKey.label,
    );
    expect(outcome.result).toMatchObject({ dryRun: true, dryRunMode: expect.stringContaining('dryRun=All') });
    expect(outcome.result.wouldChange).toHaveLength(2);
  });

  it.each([
    ['a kube-system pod', pod({ metadata: { namespace: 'kube-system' } }), /kube-system/],
    ['a host-network pod', pod({ spec: { hostNetwork: true } }), /host network.*contain its node/],
    [
      'a pod labelled ir/protected=true',
      pod({ metadata: { labels: { 'ir/protected': 'true' } } }),
      /ir\/protected=true/,
    ],
    [
      'a pod annotated ir/protected=true',
      pod({ metadata: { annotations: { 'ir/protected': 'true' } } }),
      /ir\/protected=true/,
    ],
    [
      'a pod quarantined by another incident',
      pod({ metadata: { annotations: { [QuarantineKey.byAnnotation]: 'inc-other' } } }),
      /incident inc-other/,
    ],
  ])('refuses %s without writing', async (_name, recorded, reason) => {
    // Prepare
    objectRoute(kube, POD_PATH, recorded);
    policiesRoute(kube, POLICY);

    // Act
    const attempt = containEksPodNetwork(actionDeps())(params, context());

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ContainmentRefusedError);
    await expect(containEksPodNetwork(actionDeps())(params, context())).rejects.toThrow(reason);
    expect(writes(kube)).toEqual([]);
  });

  it('reports a cluster tagged ir:protected=true (read live) and does not refuse it: the coordinator holds that step for approval', async () => {
    // Prepare
    clusterRoute(eks, kube, { 'ir:protected': 'true' });
    objectRoute(kube, POD_PATH, pod());
    policiesRoute(kube, POLICY);

    // Act
    const outcome = succeededOf(await containEksPodNetwork(actionDeps())(params, context()));

    // Assess
    expect(outcome.result).toMatchObject({ clusterProtected: true });
    expect(writes(kube)).toHaveLength(2);
  });

  it('a 403 from the API server (no access entry or RBAC) fails at once, naming what to set up', async () => {
    // Prepare: the Status a kube-apiserver returns when RBAC refuses.
    kube.on('GET', POD_PATH, {
      status: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `pods "${POD.name}" is forbidden: User "arn:aws:sts::123456789012:assumed-role/ir-member/ir-isolator" cannot get resource "pods" in API group "" in the namespace "default"`,
        reason: 'Forbidden',
        details: { name: POD.name, kind: 'pods' },
        code: 403,
      },
    });

    // Act
    const attempt = containEksPodNetwork(actionDeps())(params, context());

    // Assess
    await expect(attempt).rejects.toMatchObject({
      retryable: false,
      reason: 'kube-forbidden',
      message: expect.stringContaining('ir:isolator'),
    });
  });

  it('rollback puts the prior label back, removes our annotations, deletes the policy and reads back', async () => {
    // Prepare
    const podState = objectRoute(
      kube,
      POD_PATH,
      pod({ metadata: { labels: { [QuarantineKey.label]: 'old' } } }),
    );
    const policies = policiesRoute(kube, POLICY);
    const contained = succeededOf(await containEksPodNetwork(actionDeps())(params, context()));
    kube.requests.length = 0;

    // Act
    const outcome = succeededOf(
      await rollbackEksPodNetwork()(
        { originalStepId: 'step-1', preState: contained.preState ?? {} },
        rollbackContext(),
      ),
    );

    // Assess
    const sent = writes(kube);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      `PATCH ${POD_PATH}`,
      `DELETE ${POLICIES_PATH}/${POLICY}`,
    ]);
    expect(sent[0]?.contentType).toBe('application/merge-patch+json');
    expect(sent[0]?.body).toEqual({
      metadata: {
        labels: { [QuarantineKey.label]: 'old' },
        annotations: { [QuarantineKey.byAnnotation]: null, [QuarantineKey.priorAnnotation]: null },
      },
    });
    expect(notPermitted(kube.requests)).toEqual([]);
    const metadata = podState.current().metadata as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    expect(metadata.labels[QuarantineKey.label]).toBe('old');
    expect(metadata.annotations).not.toHaveProperty(QuarantineKey.byAnnotation);
    expect(policies.current()).toBeUndefined();
    expect(outcome.verified).toEqual({ policyExists: false, podLabel: 'old' });
  });

  it('rollback of a pod that had no label removes it (merge patch null), and a second rollback changes nothing', async () => {
    // Prepare
    const podState = objectRoute(kube, POD_PATH, pod());
    policiesRoute(kube, POLICY);
    const contained = succeededOf(await containEksPodNetwork(actionDeps())(params, context()));
    const rollback = rollbackEksPodNetwork();
    const input = { originalStepId: 'step-1', preState: contained.preState ?? {} };

    // Act
    await rollback(input, rollbackContext());
    const afterFirst = writes(kube).length;
    const second = succeededOf(await rollback(input, rollbackContext()));

    // Assess
    const patch = writes(kube)
      .filter((request) => request.method === 'PATCH')
      .at(-1);
    expect((patch?.body as { metadata?: { labels?: unknown } } | undefined)?.metadata?.labels).toEqual({
      [QuarantineKey.label]: null,
    });
    expect((podState.current().metadata as { labels: Record<string, string> }).labels).not.toHaveProperty(
      QuarantineKey.label,
    );
    expect(writes(kube).length).toBe(afterFirst);
    expect(second.result.changes).toEqual([]);
  });
});
