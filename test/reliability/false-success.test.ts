/**
 * TRAPS 16 across the whole system: the fault proxy between the services and the emulator answers
 * every ModifyNetworkInterfaceAttribute with EC2's empty success and never forwards it, so an EC2
 * compromise's isolation is "done" for the isolator's SDK and never happened in AWS. The isolator's
 * read-back must fail the step, the coordinator must page (a `step-failed` notification on the
 * webhook), and nothing may say the instance is contained.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { waitForIncidentsExplained } from '../support/diagnostics.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { reliabilitySystem } from '../support/reliability-fixture.js';
import { useSystem } from '../support/suite.js';

describe('an isolation AWS never applied, reported as done by the network (false success)', () => {
  const running = useSystem(() => reliabilitySystem());

  it('fails the isolation step on its read-back, pages a person, and never reports the incident contained', async () => {
    // Prepare
    const system = running();
    const instance = await createTargetInstance(system.clients, { eniCount: 2 });
    const groupsOf = async () => {
      const described = await system.clients.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [instance.instanceId] }),
      );
      return Object.fromEntries(
        (described.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces ?? []).map((eni) => [
          eni.NetworkInterfaceId,
          (eni.Groups ?? []).map((group) => group.GroupId).sort(),
        ]),
      );
    };
    const before = await groupsOf();
    system.proxy.setRules([
      {
        operation: 'ModifyNetworkInterfaceAttribute',
        mode: 'false-success',
        times: Number.POSITIVE_INFINITY,
      },
    ]);
    const finding = instanceFinding(instance, { accountId: system.accountId, region: system.region });

    // Act
    await system.sendFinding(finding);
    const [view] = await waitForIncidentsExplained(system, {
      count: 1,
      done: (candidate) =>
        candidate.steps.some((step) => step.status === 'failed' && step.action === 'contain.ec2-instance') &&
        system.receivers.of(candidate.incident.incidentId).some((n) => n.stage === 'step-failed'),
      timeoutMs: 240_000,
    });

    // Assess: the proxy really faked the moves, and AWS holds the groups from before
    expect(system.proxy.ruleHits().length).toBeGreaterThan(0);
    expect(await groupsOf()).toEqual(before);
    const incident = view?.incident;
    const isolation = view?.steps.find((step) => step.action === 'contain.ec2-instance');
    expect(isolation?.status).toBe('failed');
    expect(isolation?.failure?.reason).toMatch(
      new RegExp(`isolation of ${instance.instanceId} not verified: eni-[0-9a-f]+ has groups sg-`),
    );
    const told = system.receivers.of(incident?.incidentId ?? '');
    expect(told.filter((n) => n.channel === 'webhook' && n.stage === 'step-failed')).not.toEqual([]);
    expect(told.filter((n) => n.stage === 'contained')).toEqual([]);
    expect(incident?.status).not.toBe('completed');
    expect(incident?.firstContainedAt).toBeUndefined();
  });
});
