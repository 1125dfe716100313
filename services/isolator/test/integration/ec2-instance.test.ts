import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** Everything containment touches, read back from the emulator. */
async function readInstance(fixture: Fixture, instanceId: string, targetGroupArn?: string) {
  const ec2: EC2Client = fixture.clients.ec2;
  const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
    .Reservations?.[0]?.Instances?.[0];
  const attribute = async (
    Attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior',
  ) => ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute }));
  const asg = await fixture.clients.autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const health = targetGroupArn
    ? await fixture.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
    : undefined;
  return {
    groups: Object.fromEntries(
      (instance?.NetworkInterfaces ?? []).map((eni) => [
        eni.NetworkInterfaceId,
        (eni.Groups ?? []).map((g) => g.GroupId).sort(),
      ]),
    ),
    termination: String((await attribute('disableApiTermination')).DisableApiTermination?.Value),
    stop: String((await attribute('disableApiStop')).DisableApiStop?.Value),
    shutdown: (await attribute('instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior?.Value,
    deleteOnTermination: (instance?.BlockDeviceMappings ?? []).map((m) => m.Ebs?.DeleteOnTermination),
    asg: asg.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null,
    targets: (health?.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => d.Target?.Id),
    tags: Object.fromEntries(
      (instance?.Tags ?? [])
        .filter((t) => t.Key?.startsWith('ir:') && !t.Key.startsWith('ir:pre-state'))
        .map((t) => [t.Key, t.Value]),
    ),
  };
}

async function egressOf(fixture: Fixture, groupId: string) {
  const group = (await fixture.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
    .SecurityGroups?.[0];
  return { egress: group?.IpPermissionsEgress ?? [], ingress: group?.IpPermissions ?? [] };
}

describe('contain.ec2-instance and rollback.ec2-instance (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_FORENSICS_CIDR: '10.99.0.0/24' });
  });
  afterAll(async () => {
    await fixture.stop();
  });

  async function twoEniInstance(vpcSubnets?: string[]) {
    const subnetIds = vpcSubnets ?? (await createVpc({ ec2: fixture.clients.ec2 })).subnetIds;
    const created = await createInstance({
      ec2: fixture.clients.ec2,
      subnetIds,
      eniCount: 2,
      volumes: [{ sizeGiB: 1 }],
      autoScaling: { client: fixture.clients.autoScaling },
      targetGroup: { client: fixture.clients.elbv2 },
    });
    // Make the attributes worth restoring: shutdown behaviour terminate, DeleteOnTermination on.
    await fixture.clients.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: created.instanceId,
        Attribute: 'instanceInitiatedShutdownBehavior',
        Value: 'terminate',
      }),
    );
    return created;
  }

  it('isolates every ENI through the conversion group, detaches ASG and target group, protects, tags; rollback restores it all', async () => {
    // Prepare
    const created = await twoEniInstance();
    const before = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    expect(before.asg).toBe(created.asgName);
    expect(before.targets).toEqual([created.instanceId]);
    // Act
    const contained = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }),
    );
    // Assess
    const isolationGroupId = String(contained.result.isolationGroupId);
    const conversionGroupId = String(contained.result.conversionGroupId);
    const after = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    expect(Object.keys(after.groups)).toHaveLength(2);
    for (const groups of Object.values(after.groups)) expect(groups).toEqual([isolationGroupId]);
    const isolation = await egressOf(fixture, isolationGroupId);
    expect(isolation.egress).toEqual([]);
    expect(isolation.ingress.flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp))).toEqual([
      '10.99.0.0/24',
    ]);
    expect(after).toMatchObject({
      termination: 'true',
      stop: 'true',
      shutdown: 'stop',
      asg: null,
      targets: [],
    });
    expect(after.deleteOnTermination.every((flag) => flag === false)).toBe(true);
    expect(after.tags).toMatchObject({ 'ir:incident-id': 'inc-test-1', 'ir:status': 'contained' });
    // TRAPS 2: every ENI went to the conversion group before any went to the isolation group.
    const moves = contained.result.moves as {
      networkInterfaceId: string;
      groupRole: string;
      groupId: string;
    }[];
    expect(moves.map((m) => m.groupRole)).toEqual(['conversion', 'conversion', 'isolation', 'isolation']);
    expect(moves.slice(0, 2).map((m) => m.groupId)).toEqual([conversionGroupId, conversionGroupId]);
    expect(new Set(moves.map((m) => m.networkInterfaceId))).toEqual(new Set(created.networkInterfaceIds));
    const conversion = await egressOf(fixture, conversionGroupId);
    expect(conversion.egress.length).toBeGreaterThan(0);

    // Act: rollback from the recorded pre-state.
    const rolledBack = succeeded(
      await fixture.runStep('rollback.ec2-instance', {
        originalStepId: contained.stepId,
        preState: contained.preState ?? {},
      }),
    );
    // Assess
    const restored = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    expect(restored.groups).toEqual(before.groups);
    expect(restored).toMatchObject({
      termination: before.termination,
      stop: before.stop,
      shutdown: 'terminate',
      asg: created.asgName,
    });
    expect(restored.deleteOnTermination).toEqual(before.deleteOnTermination);
    expect(restored.targets).toEqual([created.instanceId]);
    expect(restored.tags).toEqual({});
    expect(rolledBack.result.notRestored).toEqual([]);
  });

  it('is idempotent: a second run succeeds, changes nothing and reports the original pre-state', async () => {
    // Prepare
    const created = await twoEniInstance();
    const first = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }),
    );
    const once = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    // Act
    const second = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }),
    );
    // Assess
    expect(await readInstance(fixture, created.instanceId, created.targetGroupArn)).toEqual(once);
    expect(second.preState).toEqual(first.preState);
    expect(second.result.moves).toEqual([]);
    expect(second.result.alreadyContained).toBe(true);
    // and a rollback run twice also ends in the original state
    const rollback = { originalStepId: first.stepId, preState: first.preState ?? {} };
    succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    const restored = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    expect(await readInstance(fixture, created.instanceId, created.targetGroupArn)).toEqual(restored);
    expect(restored.asg).toBe(created.asgName);
  });

  it('shares one isolation group between instances of a VPC; another (dual-stack) VPC gets its own without IPv6 egress', async () => {
    // Prepare
    const vpcA = await createVpc({ ec2: fixture.clients.ec2, cidr: '10.1.0.0/16' });
    const vpcB = await createVpc({ ec2: fixture.clients.ec2, cidr: '10.2.0.0/16', ipv6: true });
    const a1 = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpcA.subnetIds });
    const a2 = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpcA.subnetIds });
    const b1 = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpcB.subnetIds });
    // Act
    const results = [];
    for (const instance of [a1, a2, b1]) {
      results.push(
        succeeded(await fixture.runStep('contain.ec2-instance', { instanceId: instance.instanceId })),
      );
    }
    // Assess
    const [r1, r2, r3] = results.map((r) => String(r.result.isolationGroupId));
    expect(r1).toBe(r2);
    expect(r3).not.toBe(r1);
    const groupB = await egressOf(fixture, String(r3));
    expect(groupB.egress).toEqual([]);
    const found = await fixture.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcA.vpcId] },
          { Name: 'tag:ir:group-role', Values: ['isolation'] },
        ],
      }),
    );
    expect(found.SecurityGroups?.map((g) => g.GroupId)).toEqual([r1]);
  });

  it('in dry-run changes nothing and lists what it would change', async () => {
    // Prepare
    const created = await twoEniInstance();
    const before = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    // Act
    const answer = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }, { dryRun: true }),
    );
    // Assess
    expect(await readInstance(fixture, created.instanceId, created.targetGroupArn)).toEqual(before);
    expect(answer.result.dryRun).toBe(true);
    expect((answer.result.wouldChange as string[]).some((c) => c.startsWith('detach'))).toBe(true);
    expect(
      (answer.result.wouldChange as string[]).filter((c) => c.includes('to the isolation group')),
    ).toHaveLength(2);
    // and a dry-run rollback of a real containment changes nothing either
    const contained = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }),
    );
    const isolated = await readInstance(fixture, created.instanceId, created.targetGroupArn);
    const dry = succeeded(
      await fixture.runStep(
        'rollback.ec2-instance',
        { originalStepId: contained.stepId, preState: contained.preState ?? {} },
        { dryRun: true },
      ),
    );
    expect(await readInstance(fixture, created.instanceId, created.targetGroupArn)).toEqual(isolated);
    expect((dry.result.wouldChange as string[]).length).toBeGreaterThan(0);
  });

  it('refuses an instance already contained under another incident, and a malformed pre-state, with step.failed', async () => {
    // Prepare
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const created = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds });
    succeeded(
      await fixture.runStep(
        'contain.ec2-instance',
        { instanceId: created.instanceId },
        { incidentId: 'inc-a' },
      ),
    );
    // Act
    const other = await fixture.runStep(
      'contain.ec2-instance',
      { instanceId: created.instanceId },
      { incidentId: 'inc-b' },
    );
    const bad = await fixture.runStep('rollback.ec2-instance', {
      originalStepId: 's',
      preState: { instanceId: created.instanceId },
    });
    const missing = await fixture.runStep('contain.ec2-instance', { instanceId: 'i-0123456789abcdef0' });
    // Assess
    expect(other.type).toBe('step.failed');
    expect(other.payload).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(JSON.stringify(other.payload)).toContain('inc-a');
    expect(bad.payload).toMatchObject({ errorName: 'InvalidPreStateError' });
    expect(missing.type).toBe('step.failed');
    expect((await readInstance(fixture, created.instanceId)).tags['ir:incident-id']).toBe('inc-a');
  });
});
