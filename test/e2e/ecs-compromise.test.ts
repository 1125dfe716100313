/**
 * The ecs-compromise playbook from finding to final state: the five services as separate processes
 * against the emulator, GuardDuty's Runtime Monitoring finding for a Fargate task (the intake fixture
 * `guardduty-api-ecs-task.json`, which names its sources) pointed at a task in this account, and the
 * task's ENI, its role and the evidence read back; then the approved stop and the rollback, read back.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { type CreatedEcsTask, createEcsTask, createRole, createVpc, eventually } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { type EcsAwsvpcProxy, startEcsAwsvpcProxy } from '../support/ecs-awsvpc-proxy.js';
import { type ApiSampleFinding, apiSample, type SampleTarget } from '../support/finding-samples.js';
import { stepOf } from '../support/incident-progress.js';
import {
  approveStepAndWait,
  rollBackAndWait,
  sendFindingAndWait,
  verifyIncidentEvidence,
} from '../support/incident-flow.js';
import { useSystem } from '../support/suite.js';

/** The fields of the GuardDuty API's finding shape this test points at its own task. */
interface EcsTaskFinding extends ApiSampleFinding {
  Resource: {
    EcsClusterDetails: { Name: string; Arn: string; TaskDetails: { Arn: string; DefinitionArn: string } };
  };
}

/** The documented sample, pointed at this account, region and task, with fresh ids and times. */
function ecsFinding(where: SampleTarget, task: CreatedEcsTask) {
  const sample = apiSample<EcsTaskFinding>('guardduty-api-ecs-task.json', where);
  const cluster = sample.finding.Resource.EcsClusterDetails;
  cluster.Name = task.clusterName;
  cluster.Arn = `arn:aws:ecs:${where.region}:${where.accountId}:cluster/${task.clusterName}`;
  cluster.TaskDetails.Arn = task.taskArn;
  cluster.TaskDetails.DefinitionArn = task.taskDefinitionArn;
  return sample;
}

describe('ecs-compromise, end to end', () => {
  let proxy: EcsAwsvpcProxy;
  const running = useSystem(
    async () => {
      // Emulator gap (see ecs-awsvpc-proxy.ts): the services reach the emulator through a proxy that
      // adds the awsvpc ENI attachment to DescribeTasks answers; every other call passes unchanged.
      proxy = await startEcsAwsvpcProxy(inject('awsEndpoint'));
      return systemInIsolatedAccount({ serviceEndpoint: proxy.url });
    },
    async () => proxy?.stop(),
  );

  it('records the task, isolates its ENI and revokes its role, stops it once approved; the rollback restores the groups and removes the revocation', async () => {
    const system = running();
    // Prepare
    const { ec2, ecs, iam } = system.clients;
    const vpc = await createVpc({ ec2 });
    const role = await createRole({ iam, trustedService: 'ecs-tasks.amazonaws.com' });
    const task = await createEcsTask({ ecs, ec2, subnetIds: vpc.subnetIds, taskRoleArn: role.arn });
    proxy.attach(task.taskArn, { networkInterfaceId: task.networkInterfaceId, subnetId: task.subnetId });
    const groupsOf = async () =>
      (
        await ec2.send(
          new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [task.networkInterfaceId] }),
        )
      ).NetworkInterfaces?.[0]?.Groups?.map((group) => group.GroupId);
    const policiesOf = async () =>
      (
        await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.roleName }))
      ).AttachedPolicies?.map((policy) => policy.PolicyArn) ?? [];
    const before = await groupsOf();
    const finding = ecsFinding(system, task);

    // Act
    const view = await sendFindingAndWait(system, finding.payload, finding.id);

    // Assess: the plan ran in order (the sample is HIGH, severity 8); the stop is held for a person
    expect(view.incident.playbookId).toBe('ecs-compromise');
    expect(view.incident.severityBand).toBe('HIGH');
    for (const action of ['evidence.collect-ecs-task', 'contain.ecs-task', 'evidence.seal']) {
      expect(stepOf(view, action).status, action).toBe('succeeded');
    }
    expect(stepOf(view, 'contain.ecs-task-stop').status).toBe('awaiting-approval');
    // The ENI, read back: only the isolation group; the task role: one quarantine policy
    const isolation = stepOf(view, 'contain.ecs-task').result as { isolationGroupId: string };
    expect(await groupsOf()).toEqual([isolation.isolationGroupId]);
    expect(await policiesOf()).toEqual([expect.stringMatching(/:policy\/ir-quarantine\//)]);
    // The evidence: the task and a pointer to its container's log stream, sealed and verified
    const collected = stepOf(view, 'evidence.collect-ecs-task').result as {
      taskRoleArn: string;
      logs: { logGroup: string }[];
    };
    expect(collected.taskRoleArn).toBe(role.arn);
    expect(collected.logs.map((log) => log.logGroup)).toEqual([task.logGroup]);
    const report = await verifyIncidentEvidence(system, view.incident.incidentId);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    // Act: a person approves the stop
    const stopped = await approveStepAndWait(system, view, finding.id, 'contain.ecs-task-stop');

    // Assess: ECS wants the task stopped, with the incident in the reason
    expect(stepOf(stopped, 'contain.ecs-task-stop').status).toBe('succeeded');
    const described = (
      await ecs.send(new DescribeTasksCommand({ cluster: task.clusterName, tasks: [task.taskArn] }))
    ).tasks?.[0];
    expect(described?.desiredStatus).toBe('STOPPED');
    expect(described?.stoppedReason).toContain(view.incident.incidentId);

    // Act: roll the incident back as a responder would; a second person (an approver) approves it
    const rolledBack = await rollBackAndWait(system, view, finding.id, 'false positive: a load test');
    expect(stepOf(rolledBack, 'rollback.ecs-task', 'rollback:').status).toBe('succeeded');
    await eventually(
      async () => (await groupsOf())?.join() === before?.join() && (await policiesOf()).length === 0,
      120_000,
      'the ENI groups restored and the revocation removed',
    );

    // Assess: exactly the groups before, read back
    expect(await groupsOf()).toEqual(before);
    expect(await policiesOf()).toEqual([]);
  });
});
