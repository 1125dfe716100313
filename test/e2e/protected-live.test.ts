/**
 * Protected, according to AWS (TRAPS 22, issue 23), end to end: a GuardDuty finding that carries no
 * tags names an instance tagged `IR:Protected=TRUE` in AWS only. The coordinator dispatches the
 * isolation (the finding says nothing), the isolator reads the tag live and holds the step; the
 * incident waits for two approvers and nothing changed in AWS; two approvers release it and the
 * instance is isolated. AWS state is read back from the emulator.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { findingTypes } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { apiOperator } from '../support/operator.js';
import type { RunningSystem } from '../support/system.js';

describe('a resource protected only in AWS, end to end', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await systemInIsolatedAccount();
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  async function groupsOf(eniIds: readonly string[]): Promise<Record<string, string[]>> {
    const output = await system.clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [...eniIds] }),
    );
    return Object.fromEntries(
      (output.NetworkInterfaces ?? []).map((eni) => [
        eni.NetworkInterfaceId,
        (eni.Groups ?? []).map((group) => group.GroupId).sort(),
      ]),
    );
  }

  it('holds the isolation for two approvers, changes nothing, and isolates once both approved', async () => {
    // Prepare: the tag is on the instance in AWS; the finding names the instance without tags.
    const instance = await createTargetInstance(system.clients, {
      eniCount: 2,
      tags: { 'IR:Protected': 'TRUE' },
    });
    const before = await groupsOf(instance.networkInterfaceIds);
    const finding = instanceFinding(instance, {
      accountId: system.accountId,
      region: system.region,
      type: findingTypes.c2Dns,
      severity: 8,
    });
    const findingId = String(finding.detail.id);

    // Act
    await system.sendFinding(finding);
    const held = await waitForIncidentOf(
      system.api,
      findingId,
      (v) =>
        stepOf(v, 'contain.ec2-instance').status === 'awaiting-approval' &&
        v.incident.protectedResources.length > 0,
    );

    // Assess: held for two approvers because of what AWS says, and the ENIs are where they were.
    const isolate = stepOf(held, 'contain.ec2-instance');
    expect(isolate).toMatchObject({ approvalsRequired: 2, approvals: [] });
    expect(isolate.holdReasons).toContain('protected-resource');
    expect(isolate.dispatchedAt).toBeDefined();
    expect(held.incident.protectedResources).toContain(`ec2-instance:${instance.instanceId}`);
    expect(held.timeline.find((entry) => entry.kind === 'protected-resources-found')?.detail).toMatchObject({
      source: 'aws',
      resources: expect.arrayContaining([
        { key: `ec2-instance:${instance.instanceId}`, tag: 'IR:Protected=TRUE' },
      ]),
    });
    expect(await groupsOf(instance.networkInterfaceIds)).toEqual(before);

    // Act: two different approvers
    const alice = apiOperator(system.apiAs('approver'), 'approver');
    const bob = apiOperator(system.apiAs('secondApprover'), 'secondApprover');
    await alice.approve(held.incident.incidentId, isolate.stepId);
    await waitForIncidentOf(
      system.api,
      findingId,
      (v) => stepOf(v, 'contain.ec2-instance').approvals.length === 1,
    );
    expect(await groupsOf(instance.networkInterfaceIds)).toEqual(before);
    await bob.approve(held.incident.incidentId, isolate.stepId);
    const isolated = await waitForIncidentOf(
      system.api,
      findingId,
      (v) => stepOf(v, 'contain.ec2-instance').status === 'succeeded',
    );

    // Assess: isolated, with the protected resources the isolator saw approved in its result
    expect(stepOf(isolated, 'contain.ec2-instance').result).toMatchObject({
      protectedApproved: {
        resources: expect.arrayContaining([
          { key: `ec2-instance:${instance.instanceId}`, tag: 'IR:Protected=TRUE' },
        ]),
      },
    });
    const after = await groupsOf(instance.networkInterfaceIds);
    for (const eni of instance.networkInterfaceIds) {
      expect(after[eni]).toHaveLength(1);
      expect(after[eni]).not.toEqual(before[eni]);
    }
  });
});
