import { createEcsTask, createRole, createVpc, withAwsvpcAttachments } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forensicsFixture, type StepResult } from './harness.js';
import { incidentVersions, readJson, retentionOf } from './evidence-reader.js';

type Fixture = Awaited<ReturnType<typeof forensicsFixture>>;

function resultOf(answer: StepResult): Record<string, unknown> {
  if (answer.type !== 'step.succeeded')
    throw new Error(`expected success: ${JSON.stringify(answer.payload)}`);
  return answer.payload.result as Record<string, unknown>;
}

describe('forensics service: evidence.collect-ecs-task (on the emulator)', () => {
  let fixture: Fixture;
  const enis = new Map<string, { networkInterfaceId: string; subnetId: string }>();
  let restoreSend: () => void;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    // Emulator gap: moto 5.2.5 cannot run awsvpc tasks (RunTask fails with HTTP 500), so the task
    // runs in bridge mode and this adds the ENI attachment ECS reports for an awsvpc task to the
    // emulator's DescribeTasks answers. Remove when moto runs awsvpc tasks.
    restoreSend = withAwsvpcAttachments(enis);
  });
  afterAll(async () => {
    restoreSend();
    await fixture.stop();
  });

  it('stores the task, its definition and a pointer to each container log stream, locked; dry-run writes nothing', async () => {
    // Prepare
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const role = await createRole({ iam: fixture.clients.iam, trustedService: 'ecs-tasks.amazonaws.com' });
    const task = await createEcsTask({
      ecs: fixture.clients.ecs,
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      taskRoleArn: role.arn,
      tags: { team: 'orders' },
    });
    enis.set(task.taskArn, { networkInterfaceId: task.networkInterfaceId, subnetId: task.subnetId });
    const bucket = fixture.system.bucketName;
    const before = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);

    // Act
    const dry = resultOf(
      await fixture.run(
        'evidence.collect-ecs-task',
        { taskArn: task.taskArn },
        { stepId: 'ecs-dry', dryRun: true },
      ),
    );
    const afterDry = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);
    const collected = resultOf(
      await fixture.run('evidence.collect-ecs-task', { taskArn: task.taskArn }, { stepId: 'ecs' }),
    );

    // Assess: dry-run wrote nothing
    expect(dry.dryRun).toBe(true);
    expect(afterDry).toEqual(before);
    // Assess: the artifact is stored and locked, and says what the task is
    const key = `incidents/${fixture.incidentId}/ecs/ecs-task.json`;
    const stored = (await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId)).find(
      (v) => v.key === key,
    );
    if (!stored) throw new Error(`no ${key}`);
    expect((await retentionOf(fixture.clients.s3, bucket, key, stored.versionId)).mode).toBe('GOVERNANCE');
    const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
    const pointer = {
      container: 'app',
      logDriver: 'awslogs',
      logGroup: task.logGroup,
      logStream: `app/app/${taskId}`,
    };
    expect(collected).toMatchObject({
      taskArn: task.taskArn,
      cluster: task.clusterName,
      taskDefinitionArn: task.taskDefinitionArn,
      taskRoleArn: role.arn,
      logs: [pointer],
      gaps: [],
    });
    const document = await readJson<{
      task: { taskArn: string; attachments: { details: { name: string; value: string }[] }[] };
      taskDefinition: { taskDefinition: { taskRoleArn: string; containerDefinitions: { name: string }[] } };
      logs: unknown[];
    }>(fixture.clients.s3, bucket, key);
    expect(document.task.taskArn).toBe(task.taskArn);
    expect(document.task.attachments[0]?.details).toContainEqual({
      name: 'networkInterfaceId',
      value: task.networkInterfaceId,
    });
    expect(document.taskDefinition.taskDefinition.taskRoleArn).toBe(role.arn);
    expect(document.taskDefinition.taskDefinition.containerDefinitions.map((c) => c.name)).toEqual(['app']);
    expect(document.logs).toEqual([expect.objectContaining(pointer)]);
  });

  it('refuses a task ECS does not know', async () => {
    // Act
    const answer = await fixture.run(
      'evidence.collect-ecs-task',
      { taskArn: `arn:aws:ecs:${fixture.region}:123456789012:task/nowhere/0123456789abcdef` },
      { stepId: 'ecs-missing' },
    );

    // Assess
    expect(answer.type).toBe('step.failed');
  });
});
