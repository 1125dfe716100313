import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import type { StepOutcome } from '@ir/runtime';
import { createRole, type EmulatorClients, emulatorClients, isolatedAccount } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { containEksWorkloadRole, rollbackEksWorkloadRole } from '../../src/actions/eks/workload-role.js';
import { clusterRoute, objectRoute, SERVICE_ACCOUNT_PATH } from '../kube-replay/cluster-routes.js';
import { fixture, type ReplayServer, startReplayServer } from '../kube-replay/replay-server.js';
import { actionDeps, stepContext } from '../kube-replay/step-context.js';

/*
 * The revocation on the emulator, its inputs on recorded answers. Emulator gap: moto 5.2.5 has no EKS
 * Pod Identity API, and no kube-apiserver is available from our registries, so the service account's
 * roles come from local test servers replaying the EKS API reference's responses and a recorded
 * ServiceAccount (they name the roles created here). The handler is called directly with a step
 * context whose IAM client is the emulator's; the quarantine policy is read back from IAM.
 */

const ASSOCIATIONS = '/clusters/my-cluster/pod-identity-associations';
const params = { clusterName: 'my-cluster', namespace: 'default', serviceAccountName: 'app-sa' };

function succeededOf(outcome: StepOutcome) {
  if (outcome.kind !== 'succeeded') throw new Error(`expected succeeded, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('contain.eks-workload-role (revocation on the emulator, roles from recorded answers)', () => {
  const endpoint = inject('awsEndpoint');
  const region = 'us-east-1';
  let account: Awaited<ReturnType<typeof isolatedAccount>>;
  let clients: EmulatorClients;
  let kube: ReplayServer;
  let eks: ReplayServer;

  beforeAll(async () => {
    account = await isolatedAccount({ endpoint, region });
    clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    kube = await startReplayServer({ tls: true });
    eks = await startReplayServer({ tls: false });
    clusterRoute(eks, kube);
  });
  afterAll(async () => {
    await kube.close();
    await eks.close();
    clients.destroy();
  });

  /** The recorded answers, naming `podIdentityRole` and `irsaRole`. */
  function serve(podIdentityRole: string, irsaRole: string): void {
    eks.on('GET', ASSOCIATIONS, { status: 200, body: fixture('eks/list-pod-identity-associations.json') });
    const described = fixture<{ association: Record<string, unknown> }>(
      'eks/describe-pod-identity-association.json',
    );
    eks.on('GET', `${ASSOCIATIONS}/a-abcdefghijklmnop1`, {
      status: 200,
      body: { association: { ...described.association, roleArn: podIdentityRole } },
    });
    const account = fixture<{ metadata: Record<string, unknown> }>('kube/service-account.json');
    objectRoute(kube, SERVICE_ACCOUNT_PATH, {
      ...account,
      metadata: { ...account.metadata, annotations: { 'eks.amazonaws.com/role-arn': irsaRole } },
    });
  }

  const context = <T extends 'contain.eks-workload-role' | 'rollback.eks-workload-role'>(
    action: T,
    dryRun = false,
  ) =>
    stepContext(action, {
      credentials: account.credentials,
      endpoints: { eks: eks.url, iam: endpoint },
      accountId: account.accountId,
      dryRun,
    });

  /** The quarantine policies attached to a role and the deny bound of each, read from IAM. */
  async function quarantineOf(roleName: string) {
    const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    const found = [];
    for (const policy of attached.AttachedPolicies ?? []) {
      if (!policy.PolicyArn?.includes(':policy/ir-quarantine/')) continue;
      const meta = await clients.iam.send(new GetPolicyCommand({ PolicyArn: policy.PolicyArn }));
      const version = await clients.iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: policy.PolicyArn,
          VersionId: meta.Policy?.DefaultVersionId,
        }),
      );
      const document = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? '{}'));
      found.push({ policyArn: policy.PolicyArn, statement: document.Statement?.[0] });
    }
    return found;
  }

  it('revokes both the pod identity and the IRSA role, reads the deny back, and the rollback removes both', async () => {
    // Prepare
    const podIdentity = await createRole({ iam: clients.iam, trustedService: 'pods.eks.amazonaws.com' });
    const irsa = await createRole({ iam: clients.iam, trustedService: 'sts.amazonaws.com' });
    serve(podIdentity.arn, irsa.arn);
    const startedAt = Date.now();

    // Act: a dry run, then the containment.
    const dry = succeededOf(
      await containEksWorkloadRole(actionDeps())(params, context('contain.eks-workload-role', true)),
    );
    const afterDry = [await quarantineOf(podIdentity.roleName), await quarantineOf(irsa.roleName)];
    const contained = succeededOf(
      await containEksWorkloadRole(actionDeps())(params, context('contain.eks-workload-role')),
    );

    // Assess: the dry run changed nothing; each role now denies sessions issued before containment.
    expect(afterDry).toEqual([[], []]);
    expect(dry.result.wouldChange).toHaveLength(4);
    for (const role of [podIdentity, irsa]) {
      const [quarantine, ...others] = await quarantineOf(role.roleName);
      expect(others).toEqual([]);
      expect(quarantine?.statement).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
      const bound = Date.parse(quarantine?.statement.Condition.DateLessThan['aws:TokenIssueTime']);
      expect(bound).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(bound).toBeLessThanOrEqual(Date.now());
    }
    expect(contained.result).toMatchObject({ noIamRole: false, notRevoked: [] });
    const preState = contained.preState as { roles: { roleArn: string; sources: string[] }[] };
    expect(preState.roles.map(({ roleArn, sources }) => ({ roleArn, sources }))).toEqual(
      [
        { roleArn: podIdentity.arn, sources: ['pod-identity'] },
        { roleArn: irsa.arn, sources: ['irsa'] },
      ].sort((a, b) => a.roleArn.localeCompare(b.roleArn)),
    );

    // Act: roll back, twice (a lost answer redelivered).
    const rollback = rollbackEksWorkloadRole();
    const input = { originalStepId: 'step-1', preState: contained.preState ?? {} };
    succeededOf(await rollback(input, context('rollback.eks-workload-role')));
    const again = succeededOf(await rollback(input, context('rollback.eks-workload-role')));

    // Assess
    expect(await quarantineOf(podIdentity.roleName)).toEqual([]);
    expect(await quarantineOf(irsa.roleName)).toEqual([]);
    expect(again.result.changes).toEqual([]);
  });

  it('lists an IRSA role of another account as not revoked, and changes nothing there', async () => {
    // Prepare
    const podIdentity = await createRole({ iam: clients.iam, trustedService: 'pods.eks.amazonaws.com' });
    serve(podIdentity.arn, 'arn:aws:iam::999999999999:role/elsewhere');

    // Act
    const contained = succeededOf(
      await containEksWorkloadRole(actionDeps())(params, context('contain.eks-workload-role')),
    );

    // Assess
    expect(contained.result.notRevoked).toEqual([
      {
        roleArn: 'arn:aws:iam::999999999999:role/elsewhere',
        reason: expect.stringContaining('account 999999999999'),
      },
    ]);
    expect(await quarantineOf(podIdentity.roleName)).toHaveLength(1);
  });
});
