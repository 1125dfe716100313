import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  type CreatedEcsTask,
  createEcsTask,
  createRole,
  createVpc,
  withAwsvpcAttachments,
} from '@ir/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** The ENI's groups and `ir:*` tags, read back from the emulator. */
async function readEni(fixture: Fixture, networkInterfaceId: string) {
  const eni = (
    await fixture.clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }),
    )
  ).NetworkInterfaces?.[0];
  return {
    groupIds: (eni?.Groups ?? []).map((group) => group.GroupId),
    tags: Object.fromEntries(
      (eni?.TagSet ?? []).filter((t) => t.Key?.startsWith('ir:')).map((t) => [t.Key, t.Value]),
    ),
  };
}

/** The task's `ir:*` tags and statuses, read back from the emulator. */
async function readTask(fixture: Fixture, task: CreatedEcsTask) {
  const described = (
    await fixture.clients.ecs.send(
      new DescribeTasksCommand({ cluster: task.clusterName, tasks: [task.taskArn], include: ['TAGS'] }),
    )
  ).tasks?.[0];
  return {
    desiredStatus: described?.desiredStatus,
    stoppedReason: described?.stoppedReason,
    tags: Object.fromEntries(
      (described?.tags ?? []).filter((t) => t.key?.startsWith('ir:')).map((t) => [t.key, t.value]),
    ),
  };
}

async function attachedPolicies(fixture: Fixture, roleName: string): Promise<string[]> {
  const output = await fixture.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  return (output.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? '');
}

describe('contain.ecs-task, rollback.ecs-task and contain.ecs-task-stop (on the emulator)', () => {
  let fixture: Fixture;
  /** Task ARN → its ENI, for the DescribeTasks interceptor (emulator gap, see `createEcsTask`). */
  const enis = new Map<string, { networkInterfaceId: string; subnetId: string }>();
  let restoreSend: () => void;

  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_FORENSICS_CIDR: '10.99.0.0/24' });
    // Emulator gap: moto 5.2.5 cannot run awsvpc tasks (RunTask fails with HTTP 500), so the task
    // runs in bridge mode and this adds the ENI attachment ECS reports for an awsvpc task to the
    // emulator's DescribeTasks answers. Everything else (the task, its definition, the ENI, the
    // groups, the role) is the emulator's. Remove when moto runs awsvpc tasks.
    restoreSend = withAwsvpcAttachments(enis);
  });
  afterAll(async () => {
    restoreSend();
    await fixture.stop();
  });
  afterEach(() => {
    enis.clear();
  });

  async function awsvpcTask(options: { taskRole?: boolean; awsvpc?: boolean } = {}) {
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const role =
      options.taskRole === false
        ? undefined
        : await createRole({ iam: fixture.clients.iam, trustedService: 'ecs-tasks.amazonaws.com' });
    const task = await createEcsTask({
      ecs: fixture.clients.ecs,
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      ...(role ? { taskRoleArn: role.arn } : {}),
    });
    if (options.awsvpc !== false) {
      enis.set(task.taskArn, { networkInterfaceId: task.networkInterfaceId, subnetId: task.subnetId });
    }
    return { vpc, role, task };
  }

  it("isolates the task's ENI and revokes its role's sessions; a repeat converges; the rollback restores the groups and removes the revocation", async () => {
    // Prepare
    const { role, task } = await awsvpcTask();
    const original = await readEni(fixture, task.networkInterfaceId);

    // Act
    const first = succeeded(await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn }));
    const second = succeeded(await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn }));

    // Assess: the ENI has only the isolation group, which allows no egress and only the forensics CIDR in
    const isolationGroupId = String(first.result.isolationGroupId);
    const contained = await readEni(fixture, task.networkInterfaceId);
    expect(contained.groupIds).toEqual([isolationGroupId]);
    expect(contained.tags).toEqual({
      'ir:incident-id': 'inc-test-1',
      'ir:pre-groups': task.securityGroupIds.join(','),
    });
    const group = (
      await fixture.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolationGroupId] }))
    ).SecurityGroups?.[0];
    expect(group?.IpPermissionsEgress ?? []).toEqual([]);
    expect(group?.IpPermissions?.map((p) => p.IpRanges?.map((r) => r.CidrIp))).toEqual([['10.99.0.0/24']]);
    // TRAPS 2: through the conversion group first
    const moves = first.result.moves as { groupRole: string }[];
    expect(moves.map((m) => m.groupRole)).toEqual(['conversion', 'isolation']);
    // TRAPS 7: the task role's older sessions are denied by one attached quarantine policy
    const roleName = role?.roleName ?? '';
    const policies = await attachedPolicies(fixture, roleName);
    expect(policies).toHaveLength(1);
    expect(policies[0]).toContain(':policy/ir-quarantine/');
    expect(first.preState).toEqual({
      taskArn: task.taskArn,
      cluster: task.clusterName,
      networkInterfaces: [{ networkInterfaceId: task.networkInterfaceId, groupIds: original.groupIds }],
      roleSessions: { roleName, policyName: expect.any(String), policyArn: policies[0] },
      taskTags: { 'ir:incident-id': null, 'ir:status': null, 'ir:contained-at': null },
    });
    expect((await readTask(fixture, task)).tags).toMatchObject({
      'ir:incident-id': 'inc-test-1',
      'ir:status': 'contained',
    });
    // TRAPS 24: the repeat moved nothing, kept the original pre-state and one policy
    expect(second.result.alreadyContained).toBe(true);
    expect(second.result.moves).toEqual([]);
    expect(second.preState).toEqual(first.preState);
    expect(await attachedPolicies(fixture, roleName)).toEqual(policies);

    // Act: roll back, twice (a lost answer redelivered)
    const rollback = () =>
      fixture.runStep('rollback.ecs-task', { originalStepId: first.stepId, preState: first.preState ?? {} });
    succeeded(await rollback());
    const again = succeeded(await rollback());

    // Assess: the original groups, no ir:* tags on the ENI or the task, no revocation
    expect(await readEni(fixture, task.networkInterfaceId)).toEqual({
      groupIds: original.groupIds,
      tags: {},
    });
    expect((await readTask(fixture, task)).tags).toEqual({});
    expect(await attachedPolicies(fixture, roleName)).toEqual([]);
    expect(again.result.notRestored).toEqual([]);
  });

  it('changes nothing in dry-run, and tags only with isolate: false', async () => {
    // Prepare
    const { role, task } = await awsvpcTask();
    const original = await readEni(fixture, task.networkInterfaceId);

    // Act
    const dry = succeeded(
      await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn }, { dryRun: true }),
    );

    // Assess: nothing changed; the plan names the ENI move and the revocation
    expect(await readEni(fixture, task.networkInterfaceId)).toEqual(original);
    expect((await readTask(fixture, task)).tags).toEqual({});
    expect(await attachedPolicies(fixture, role?.roleName ?? '')).toEqual([]);
    const plan = (dry.result.wouldChange as string[]).join('\n');
    expect(plan).toContain(task.networkInterfaceId);
    expect(plan).toContain(role?.roleName);

    // Act: the matrix's "tag" (MEDIUM)
    const tagged = succeeded(
      await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn, isolate: false }),
    );

    // Assess: tagged, not isolated, no revocation; the rollback removes the tag
    expect(tagged.result.isolated).toBe(false);
    expect((await readTask(fixture, task)).tags).toEqual({
      'ir:incident-id': 'inc-test-1',
      'ir:status': 'tagged',
    });
    expect(await readEni(fixture, task.networkInterfaceId)).toEqual(original);
    expect(await attachedPolicies(fixture, role?.roleName ?? '')).toEqual([]);
    succeeded(
      await fixture.runStep('rollback.ecs-task', {
        originalStepId: tagged.stepId,
        preState: tagged.preState ?? {},
      }),
    );
    expect((await readTask(fixture, task)).tags).toEqual({});
  });

  it('isolates a task without a role; refuses a task without its own ENI and one contained under another incident', async () => {
    // Prepare
    const { task } = await awsvpcTask({ taskRole: false });
    const { task: bridged } = await awsvpcTask({ awsvpc: false });

    // Act
    const contained = succeeded(await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn }));
    const other = failed(
      await fixture.runStep('contain.ecs-task', { taskArn: task.taskArn }, { incidentId: 'inc-other' }),
    );
    const notAwsvpc = failed(await fixture.runStep('contain.ecs-task', { taskArn: bridged.taskArn }));
    const missing = failed(
      await fixture.runStep('contain.ecs-task', {
        taskArn: `arn:aws:ecs:us-east-1:${fixture.account}:task/${task.clusterName}/0123456789abcdef`,
      }),
    );

    // Assess
    expect(contained.result.taskRole).toBeNull();
    expect((await readEni(fixture, task.networkInterfaceId)).groupIds).toEqual([
      contained.result.isolationGroupId,
    ]);
    expect(other.errorName).toBe('ContainmentRefusedError');
    expect(other.reason).toContain('inc-test-1');
    expect(notAwsvpc.errorName).toBe('ContainmentRefusedError');
    expect(notAwsvpc.reason).toContain('contain.ec2-instance');
    expect(missing.errorName).toBe('ResourceNotFoundError');
  });

  it('stops a task (irreversible: no rollback), and a repeat finds it stopped', async () => {
    // Prepare
    const { task } = await awsvpcTask({ taskRole: false });

    // Act
    const dry = succeeded(
      await fixture.runStep('contain.ecs-task-stop', { taskArn: task.taskArn }, { dryRun: true }),
    );
    const afterDry = await readTask(fixture, task);
    const stopped = succeeded(await fixture.runStep('contain.ecs-task-stop', { taskArn: task.taskArn }));
    const again = succeeded(await fixture.runStep('contain.ecs-task-stop', { taskArn: task.taskArn }));

    // Assess
    expect(dry.result.wouldChange).toHaveLength(1);
    expect(afterDry.desiredStatus).toBe('RUNNING');
    const read = await readTask(fixture, task);
    expect(read.desiredStatus).toBe('STOPPED');
    expect(read.stoppedReason).toContain('inc-test-1');
    expect(stopped.result.alreadyStopped).toBe(false);
    expect(again.result.alreadyStopped).toBe(true);
  });
});
