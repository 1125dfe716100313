/**
 * An attack sequence from finding to final state: the five services as separate processes against
 * the emulator. An EC2 finding about a node opens an ec2-compromise incident; then GuardDuty's EKS
 * attack sequence (the intake fixture `guardduty-eventbridge-attack-sequence-eks.json`, built from the
 * API reference and the attack-sequence finding-type page it names), pointed at that node and at a
 * role of this account, joins the same incident, and the role it brings is contained by its own step.
 * The node's isolation and the role's revocation are read back from the emulator.
 */
import { ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { createEksCluster, createRole, findingTypes } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { type EventBridgeSample, eventBridgeSample } from '../support/finding-samples.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { isQuiescent, stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { sendFindingAndWait } from '../support/incident-flow.js';
import { readInstanceState } from '../support/instance-state.js';
import { useSystem } from '../support/suite.js';

/**
 * The documented sample with fresh ids and times, its account and region this system's, its node
 * (instance and ENI), its cluster (`payments-prod`) and its role (`deployer`) the ones this test
 * created. Every occurrence is replaced, in the resources, the signals and the actors alike.
 */
function sequenceFinding(
  where: { accountId: string; region: string },
  node: { instanceId: string; networkInterfaceId: string },
  roleName: string,
  clusterName: string,
): EventBridgeSample {
  const sample = eventBridgeSample<EventBridgeSample>(
    'guardduty-eventbridge-attack-sequence-eks.json',
    where,
  );
  const text = JSON.stringify(sample)
    .replaceAll('payments-prod', clusterName)
    .replaceAll('i-0node0000000000001', node.instanceId)
    .replaceAll('eni-0node0000000000001', node.networkInterfaceId)
    .replaceAll('deployer', roleName)
    .replaceAll('123456789012', where.accountId)
    .replaceAll('us-east-1', where.region);
  return JSON.parse(text) as EventBridgeSample;
}

describe('attack-sequence, end to end', () => {
  const running = useSystem(() => systemInIsolatedAccount());

  it('joins the incident open about its node, and contains the role it brings with its own step', async () => {
    const system = running();
    // Prepare: an ec2-compromise incident about the node, contained
    const where = { accountId: system.accountId, region: system.region };
    const instance = await createTargetInstance(system.clients, { eniCount: 1 });
    const role = await createRole({ iam: system.clients.iam, trustedService: 'ec2.amazonaws.com' });
    const cluster = await createEksCluster({ ...system.clients, subnetIds: instance.subnetIds });
    const first = instanceFinding(instance, { ...where, type: findingTypes.c2Dns, severity: 8 });
    const opened = await sendFindingAndWait(
      system,
      first,
      String(first.detail.id),
      (v) => v.incident.status === 'completed',
    );
    const isolated = await readInstanceState(system.clients, instance.instanceId);
    const networkInterfaceId = instance.networkInterfaceIds[0] ?? '';

    // Act: the sequence names the node, the pod on it, the cluster and the role
    const sequence = sequenceFinding(
      where,
      { instanceId: instance.instanceId, networkInterfaceId },
      role.roleName,
      cluster.clusterName,
    );
    await system.sendFinding(sequence);
    const joined = await waitForIncidentOf(
      system.api,
      String(first.detail.id),
      (v) =>
        v.incident.findings.length === 2 &&
        v.steps.some(
          (s) => s.stepId.endsWith(`revoke-role-sessions:${role.roleName}`) && s.status === 'succeeded',
        ) &&
        isQuiescent(v),
      120_000,
    );
    const attached = await system.clients.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: role.roleName }),
    );
    const after = await readInstanceState(system.clients, instance.instanceId);

    // Assess: one incident, the sequence among its findings, each new resource with its own steps
    expect(opened.incident.playbookId).toBe('ec2-compromise');
    expect(joined.incident.incidentId).toBe(opened.incident.incidentId);
    expect(joined.incident.findings.map((f) => f.type)).toEqual([
      findingTypes.c2Dns,
      'AttackSequence:EKS/CompromisedCluster',
    ]);
    expect(joined.incident.resources.map((r) => r.key)).toContain(`iam-access-key:role/${role.roleName}`);
    const joinSteps = joined.steps.filter((s) => s.stepId.startsWith('join-'));
    expect(joinSteps.map((s) => s.stepId)).toContain(`join-1.collect-iam:${role.roleName}`);
    expect(joinSteps.filter((s) => s.stepId.includes(instance.instanceId))).toEqual([]);
    const statusOf = (id: string) => joinSteps.find((s) => s.stepId === `join-1.${id}`)?.status;
    const pod = `${cluster.clusterName}.payments.miner-7d9f8`;
    expect(statusOf(`collect-iam:${role.roleName}`)).toBe('succeeded');
    expect(statusOf(`revoke-role-sessions:${role.roleName}`)).toBe('succeeded');
    expect(statusOf(`collect-workload:${pod}`)).toBe('succeeded');
    expect(statusOf(`collect-cluster:${cluster.clusterName}`)).toBe('succeeded');
    expect(statusOf('seal-evidence')).toBe('succeeded');
    // No Kubernetes API on the emulator (IR_EKS_KUBERNETES_API=unavailable): skipped, saying why.
    expect(statusOf(`isolate-pod:${pod}`)).toBe('skipped');
    expect(statusOf(`cordon-node:${pod}`)).toBe('skipped');
    expect(statusOf(`restrict-cluster-endpoint:${cluster.clusterName}`)).toBe('awaiting-approval');
    expect(stepOf(joined, 'contain.ec2-instance').status).toBe('succeeded');
    // Assess: read back from the emulator: the role's older sessions are denied, the node stays isolated
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([
      expect.stringMatching(
        new RegExp(`:policy/ir-quarantine/ir-quarantine-${opened.incident.incidentId}-role-`),
      ),
    ]);
    expect(after.eniGroups).toEqual(isolated.eniGroups);
    expect(Object.values(after.eniGroups).flat()).toHaveLength(1);
  });
});
