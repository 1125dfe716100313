import type { StepOutcome } from '@ir/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CordonAnnotation,
  containEksNodeCordon,
  rollbackEksNodeCordon,
} from '../../../src/actions/eks/node-cordon.js';
import { ContainmentRefusedError } from '../../../src/errors.js';
import {
  clusterRoute,
  NODE_NAME,
  NODE_PATH,
  node,
  objectRoute,
  POD,
  POD_PATH,
  pod,
  writes,
} from '../../kube-replay/cluster-routes.js';
import { type ReplayServer, startReplayServer } from '../../kube-replay/replay-server.js';
import { notPermitted, stepContext, testCredentials } from '../../kube-replay/step-context.js';

/*
 * No kube-apiserver is available from our registries: these run on recorded requests (a local HTTPS
 * server answering with the recorded Pod and Node of test/fixtures/kube and keeping what is patched).
 */

const INCIDENT = 'inc-7f3a9c2e';
const params = { clusterName: 'my-cluster', namespace: POD.namespace, podName: POD.name };

function succeededOf(outcome: StepOutcome) {
  if (outcome.kind !== 'succeeded') throw new Error(`expected succeeded, got ${outcome.kind}`);
  return outcome;
}

const unschedulable = (object: Record<string, unknown>) =>
  (object.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;

describe('contain.eks-node-cordon and its rollback (recorded kube-apiserver)', () => {
  let kube: ReplayServer;
  let eks: ReplayServer;
  const credentials = testCredentials();
  const context = (options: { dryRun?: boolean; incidentId?: string } = {}) =>
    stepContext('contain.eks-node-cordon', {
      credentials,
      endpoints: { eks: eks.url },
      incidentId: INCIDENT,
      ...options,
    });
  const rollbackContext = () =>
    stepContext('rollback.eks-node-cordon', {
      credentials,
      endpoints: { eks: eks.url },
      incidentId: INCIDENT,
    });

  beforeEach(async () => {
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
    clusterRoute(eks, kube);
    objectRoute(kube, POD_PATH, pod());
  });
  afterEach(async () => {
    await kube.close();
    await eks.close();
  });

  it("cordons the pod's node with one merge patch (never an eviction) and reads it back", async () => {
    // Prepare
    const nodeState = objectRoute(kube, NODE_PATH, node());

    // Act
    const outcome = succeededOf(await containEksNodeCordon()(params, context()));

    // Assess
    const sent = writes(kube);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([`PATCH ${NODE_PATH}`]);
    expect(sent[0]?.contentType).toBe('application/merge-patch+json');
    expect(sent[0]?.body).toEqual({
      metadata: { annotations: { [CordonAnnotation.by]: INCIDENT, [CordonAnnotation.wasCordoned]: 'false' } },
      spec: { unschedulable: true },
    });
    expect(kube.requests.some((request) => request.path.endsWith('/eviction'))).toBe(false);
    expect(notPermitted(kube.requests)).toEqual([]);
    expect(unschedulable(nodeState.current())).toBe(true);
    expect(outcome.preState).toEqual({ clusterName: 'my-cluster', nodeName: NODE_NAME, wasCordoned: false });
    expect(outcome.result).toMatchObject({
      nodeName: NODE_NAME,
      instanceId: 'i-99999999',
      alreadyCordoned: false,
      note: expect.stringContaining('not drained'),
    });
    expect(outcome.verified).toEqual({ nodeName: NODE_NAME, unschedulable: true });
  });

  it('rollback uncordons a node that was schedulable and removes our annotations', async () => {
    // Prepare
    const nodeState = objectRoute(kube, NODE_PATH, node());
    const contained = succeededOf(await containEksNodeCordon()(params, context()));
    kube.requests.length = 0;

    // Act
    const outcome = succeededOf(
      await rollbackEksNodeCordon()(
        { originalStepId: 'step-1', preState: contained.preState ?? {} },
        rollbackContext(),
      ),
    );

    // Assess
    expect(writes(kube).map((request) => request.body)).toEqual([
      {
        metadata: { annotations: { [CordonAnnotation.by]: null, [CordonAnnotation.wasCordoned]: null } },
        spec: { unschedulable: null },
      },
    ]);
    expect(unschedulable(nodeState.current())).toBe(false);
    expect((nodeState.current().metadata as { annotations: object }).annotations).not.toHaveProperty(
      CordonAnnotation.by,
    );
    expect(outcome.verified).toEqual({ nodeName: NODE_NAME, unschedulable: false });
  });

  it('a node cordoned before stays cordoned: no write, and the rollback leaves it so', async () => {
    // Prepare
    const nodeState = objectRoute(kube, NODE_PATH, node({ spec: { unschedulable: true } }));

    // Act
    const contained = succeededOf(await containEksNodeCordon()(params, context()));
    const rolledBack = succeededOf(
      await rollbackEksNodeCordon()(
        { originalStepId: 'step-1', preState: contained.preState ?? {} },
        rollbackContext(),
      ),
    );

    // Assess
    expect(writes(kube)).toEqual([]);
    expect(contained.preState).toMatchObject({ wasCordoned: true });
    expect(contained.result).toMatchObject({ alreadyCordoned: true });
    expect(rolledBack.result).toMatchObject({ leftCordoned: true });
    expect(unschedulable(nodeState.current())).toBe(true);
  });

  it('a repeat reports the first run’s pre-state from the node’s annotation', async () => {
    // Prepare
    objectRoute(kube, NODE_PATH, node());
    const cordon = containEksNodeCordon();
    await cordon(params, context());
    const before = writes(kube).length;

    // Act
    const second = succeededOf(await cordon(params, context()));

    // Assess
    expect(writes(kube).length).toBe(before);
    expect(second.preState).toMatchObject({ wasCordoned: false });
  });

  it('dry-run patches with dryRun=All and leaves the node schedulable', async () => {
    // Prepare
    const nodeState = objectRoute(kube, NODE_PATH, node());

    // Act
    const outcome = succeededOf(await containEksNodeCordon()(params, context({ dryRun: true })));

    // Assess
    expect(writes(kube).map((request) => request.query.dryRun)).toEqual(['All']);
    expect(unschedulable(nodeState.current())).toBe(false);
    expect(outcome.result).toMatchObject({
      dryRun: true,
      wouldChange: [`cordon node ${NODE_NAME} (spec.unschedulable=true)`],
    });
  });

  it('refuses a node cordoned under another incident, and a pod with no node', async () => {
    // Prepare
    objectRoute(
      kube,
      NODE_PATH,
      node({
        metadata: { annotations: { [CordonAnnotation.by]: 'inc-other' } },
        spec: { unschedulable: true },
      }),
    );

    // Act
    const other = containEksNodeCordon()(params, context());

    // Assess
    await expect(other).rejects.toBeInstanceOf(ContainmentRefusedError);
    objectRoute(kube, POD_PATH, pod({ spec: { nodeName: null }, status: { phase: 'Pending' } }));
    await expect(containEksNodeCordon()(params, context())).rejects.toThrow(/not scheduled on a node/);
    expect(writes(kube)).toEqual([]);
  });
});
