/**
 * rollback.ec2-instance and the Auto Scaling group's desired capacity: containment detaches the
 * instance without lowering it (a replacement is launched, TRAPS 4); the rollback's AttachInstances
 * raises it by one, and the rollback takes exactly that one back.
 */
import {
  AttachInstancesCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

describe('rollback.ec2-instance and Auto Scaling desired capacity (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  /** The group's capacity, the instance's group and its `ir:asg-*` tags, read back from the emulator. */
  async function read(groupName: string, instanceId: string) {
    const group = (
      await fixture.clients.autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
      )
    ).AutoScalingGroups?.[0];
    const membership = await fixture.clients.autoScaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
    );
    const instance = (
      await fixture.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
    ).Reservations?.[0]?.Instances?.[0];
    return {
      desired: group?.DesiredCapacity,
      group: membership.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null,
      markers: (instance?.Tags ?? []).filter((tag) => tag.Key?.startsWith('ir:asg-')).length,
    };
  }

  async function containedInGroup() {
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const created = await createInstance({
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      autoScaling: { client: fixture.clients.autoScaling },
    });
    const groupName = created.asgName ?? '';
    // A group of 1 with room to grow: the rollback's attach then adds a second.
    await fixture.clients.autoScaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, MaxSize: 4 }),
    );
    const before = await read(groupName, created.instanceId);
    const contained = succeeded(
      await fixture.runStep('contain.ec2-instance', { instanceId: created.instanceId }),
    );
    const rollback = { originalStepId: contained.stepId, preState: contained.preState ?? {} };
    return { instanceId: created.instanceId, groupName, before, contained, rollback };
  }

  it('records the capacity at containment and restores it after attaching again, reporting both numbers', async () => {
    // Prepare
    const { instanceId, groupName, before, contained, rollback } = await containedInGroup();
    expect(before).toMatchObject({ desired: 1, group: groupName });
    expect(contained.preState).toMatchObject({
      autoScalingGroupName: groupName,
      autoScalingCapacity: { desired: 1, min: 0, max: 4 },
    });
    expect(await read(groupName, instanceId)).toMatchObject({ desired: 1, group: null });
    // Act
    const rolledBack = succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    // Assess: read back from the emulator
    expect(await read(groupName, instanceId)).toEqual({ desired: 1, group: groupName, markers: 0 });
    expect(rolledBack.result.autoScaling).toMatchObject({
      groupName,
      recordedDesiredCapacity: 1,
      desiredBeforeAttach: 1,
      desiredAfterAttach: 2,
      desiredCapacity: 1,
    });
    expect(String((rolledBack.result.autoScaling as { note: string }).note)).toMatch(/termination policy/);
    expect(rolledBack.result.changes).toEqual(
      expect.arrayContaining([expect.stringMatching(/set desired capacity of .* from 2 back to 1/)]),
    );
  });

  it('converges when a run attached and died before lowering: the repeat lowers once, a further repeat not again', async () => {
    // Prepare: a first rollback run recorded desired capacity, attached (+1), and died
    const { instanceId, groupName, rollback } = await containedInGroup();
    await fixture.clients.ec2.send(
      new CreateTagsCommand({
        Resources: [instanceId],
        Tags: [{ Key: 'ir:asg-desired-before-attach', Value: '1' }],
      }),
    );
    await fixture.clients.autoScaling.send(
      new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] }),
    );
    expect(await read(groupName, instanceId)).toMatchObject({ desired: 2, group: groupName });
    // Act
    succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    const afterRepeat = await read(groupName, instanceId);
    const again = succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    // Assess
    expect(afterRepeat).toEqual({ desired: 1, group: groupName, markers: 0 });
    expect(await read(groupName, instanceId)).toEqual({ desired: 1, group: groupName, markers: 0 });
    expect(again.result.changes).toEqual([]);
  });

  it('undoes only its own +1 when a person resized the group during the incident, and says so', async () => {
    // Prepare: contained at desired 1; a person then scaled the group to 3
    const { instanceId, groupName, rollback } = await containedInGroup();
    await fixture.clients.autoScaling.send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: 3 }),
    );
    // Act
    const rolledBack = succeeded(await fixture.runStep('rollback.ec2-instance', rollback));
    // Assess: the person's 3 stands (the attach made it 4)
    expect(await read(groupName, instanceId)).toEqual({ desired: 3, group: groupName, markers: 0 });
    expect(rolledBack.result.autoScaling).toMatchObject({
      recordedDesiredCapacity: 1,
      desiredBeforeAttach: 3,
      desiredAfterAttach: 4,
      desiredCapacity: 3,
    });
    expect(String((rolledBack.result.autoScaling as { note: string }).note)).toMatch(
      /was 1 at containment and 3 before the attach/,
    );
  });
});
