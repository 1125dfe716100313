import { EKSClient } from '@aws-sdk/client-eks';
import type { StepOutcome } from '@ir/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectCluster } from '../../../src/actions/eks/kube/connect.js';
import {
  containEksWorkloadRole,
  irsaRole,
  mergeRoles,
  podIdentityRoles,
  roleNameOf,
} from '../../../src/actions/eks/workload-role.js';
import { clusterRoute, objectRoute, SERVICE_ACCOUNT_PATH } from '../../kube-replay/cluster-routes.js';
import { fixture, type ReplayServer, startReplayServer, status } from '../../kube-replay/replay-server.js';
import { actionDeps, notPermitted, stepContext, testCredentials } from '../../kube-replay/step-context.js';

/*
 * Emulator gap: moto 5.2.5 has no EKS Pod Identity API (ListPodIdentityAssociations,
 * DescribePodIdentityAssociation), and no kube-apiserver is available from our registries. The
 * resolution of a service account's roles therefore runs on recorded responses: the EKS API
 * reference's response shapes (test/fixtures/eks) and a recorded ServiceAccount (test/fixtures/kube),
 * served by local test servers that record each request. The revocation itself runs on the emulator
 * (test/integration/eks-workload-role.test.ts).
 */

const ASSOCIATIONS = '/clusters/my-cluster/pod-identity-associations';
const POD_IDENTITY_ROLE = 'arn:aws:iam::123456789012:role/app-pod-identity-role';
const IRSA_ROLE = 'arn:aws:iam::123456789012:role/app-irsa-role';

describe('the roles of an EKS service account (recorded EKS API and kube-apiserver answers)', () => {
  let kube: ReplayServer;
  let eks: ReplayServer;
  const credentials = testCredentials();
  const context = () =>
    stepContext('contain.eks-workload-role', { credentials, endpoints: { eks: eks.url } });

  beforeEach(async () => {
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
    clusterRoute(eks, kube);
  });
  afterEach(async () => {
    await kube.close();
    await eks.close();
  });

  it('finds the pod identity role: the associations filtered by namespace and service account, then each described', async () => {
    // Prepare
    eks.on('GET', ASSOCIATIONS, { status: 200, body: fixture('eks/list-pod-identity-associations.json') });
    eks.on('GET', `${ASSOCIATIONS}/a-abcdefghijklmnop1`, {
      status: 200,
      body: fixture('eks/describe-pod-identity-association.json'),
    });

    // Act
    const roles = await podIdentityRoles(
      await context().client(EKSClient),
      'my-cluster',
      'default',
      'app-sa',
    );

    // Assess
    expect(roles).toEqual([POD_IDENTITY_ROLE]);
    const list = eks.requests.find((request) => request.path === ASSOCIATIONS);
    expect(list?.query).toMatchObject({ namespace: 'default', serviceAccount: 'app-sa' });
    expect(eks.requests.map((request) => request.path)).toContain(`${ASSOCIATIONS}/a-abcdefghijklmnop1`);
  });

  it('follows nextToken across pages', async () => {
    // Prepare
    const page = fixture<{ associations: Record<string, string>[] }>(
      'eks/list-pod-identity-associations.json',
    );
    eks.on(
      'GET',
      ASSOCIATIONS,
      { status: 200, body: { associations: [], nextToken: 'page-2' } },
      { status: 200, body: page },
    );
    eks.on('GET', `${ASSOCIATIONS}/a-abcdefghijklmnop1`, {
      status: 200,
      body: fixture('eks/describe-pod-identity-association.json'),
    });

    // Act
    const roles = await podIdentityRoles(
      await context().client(EKSClient),
      'my-cluster',
      'default',
      'app-sa',
    );

    // Assess
    expect(roles).toEqual([POD_IDENTITY_ROLE]);
    expect(
      eks.requests.filter((request) => request.path === ASSOCIATIONS).map((r) => r.query.nextToken),
    ).toEqual([undefined, 'page-2']);
  });

  it("finds the IRSA role in the service account's eks.amazonaws.com/role-arn annotation", async () => {
    // Prepare
    objectRoute(kube, SERVICE_ACCOUNT_PATH, fixture('kube/service-account.json'));
    const cluster = await connectCluster(context(), 'my-cluster');

    // Act
    const role = await irsaRole(cluster, 'default', 'app-sa');

    // Assess
    expect(role).toBe(IRSA_ROLE);
    expect(kube.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${SERVICE_ACCOUNT_PATH}`,
    ]);
    expect(notPermitted(kube.requests)).toEqual([]);
  });

  it('a missing service account or one without the annotation has no IRSA role', async () => {
    // Prepare
    const cluster = await connectCluster(context(), 'my-cluster');
    kube.on('GET', SERVICE_ACCOUNT_PATH, status(404, 'serviceaccounts', 'app-sa'));
    const missing = await irsaRole(cluster, 'default', 'app-sa');
    const plain = fixture<{ metadata: Record<string, unknown> }>('kube/service-account.json');
    objectRoute(kube, SERVICE_ACCOUNT_PATH, { ...plain, metadata: { ...plain.metadata, annotations: {} } });

    // Act
    const unannotated = await irsaRole(cluster, 'default', 'app-sa');

    // Assess
    expect(missing).toBeUndefined();
    expect(unannotated).toBeUndefined();
  });

  it('merges both sources by ARN and names a role by the last segment of its ARN', () => {
    // Act and Assess
    expect(mergeRoles([POD_IDENTITY_ROLE], IRSA_ROLE)).toEqual([
      { roleArn: IRSA_ROLE, sources: ['irsa'] },
      { roleArn: POD_IDENTITY_ROLE, sources: ['pod-identity'] },
    ]);
    expect(mergeRoles([IRSA_ROLE], IRSA_ROLE)).toEqual([
      { roleArn: IRSA_ROLE, sources: ['pod-identity', 'irsa'] },
    ]);
    expect(mergeRoles([], undefined)).toEqual([]);
    expect(roleNameOf('arn:aws:iam::123456789012:role/team/app/app-role')).toBe('app-role');
  });

  it('with no role from either source, succeeds saying "no IAM role" and changes nothing', async () => {
    // Prepare
    eks.on('GET', ASSOCIATIONS, { status: 200, body: { associations: [] } });
    const plain = fixture<{ metadata: Record<string, unknown> }>('kube/service-account.json');
    objectRoute(kube, SERVICE_ACCOUNT_PATH, { ...plain, metadata: { ...plain.metadata, annotations: {} } });
    const params = { clusterName: 'my-cluster', namespace: 'default', serviceAccountName: 'app-sa' };

    // Act
    const outcome: StepOutcome = await containEksWorkloadRole(actionDeps())(params, context());

    // Assess
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    expect(outcome.result).toMatchObject({
      noIamRole: true,
      roles: [],
      note: expect.stringMatching(/^no IAM role/),
    });
    expect(outcome.preState).toEqual({ ...params, roles: [] });
  });

  it('reports a cluster tagged ir:protected=true (read live from DescribeCluster)', async () => {
    // Prepare
    clusterRoute(eks, kube, { 'ir:protected': 'true' });
    eks.on('GET', ASSOCIATIONS, { status: 200, body: { associations: [] } });
    kube.on('GET', SERVICE_ACCOUNT_PATH, status(404, 'serviceaccounts', 'app-sa'));
    const params = { clusterName: 'my-cluster', namespace: 'default', serviceAccountName: 'app-sa' };

    // Act
    const outcome = await containEksWorkloadRole(actionDeps())(params, context());

    // Assess
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    expect(outcome.result).toMatchObject({ clusterProtected: true, noIamRole: true });
  });

  it('with IR_EKS_KUBERNETES_API=unavailable, never calls the Kubernetes API and skips rather than claim "no IAM role"', async () => {
    // Prepare
    eks.on('GET', ASSOCIATIONS, { status: 200, body: { associations: [] } });
    const params = { clusterName: 'my-cluster', namespace: 'default', serviceAccountName: 'app-sa' };

    // Act
    const outcome = await containEksWorkloadRole(actionDeps({ IR_EKS_KUBERNETES_API: 'unavailable' }))(
      params,
      context(),
    );

    // Assess
    expect(outcome.kind).toBe('skipped');
    if (outcome.kind !== 'skipped') return;
    expect(outcome.reason).toContain('IR_EKS_KUBERNETES_API=unavailable');
    expect(outcome.reason).toContain('no EKS Pod Identity role');
    expect(kube.requests).toEqual([]);
  });
});
