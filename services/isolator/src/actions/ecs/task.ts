import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { ResourceNotFoundError } from '../../errors.js';

/**
 * The cluster of a task: the one given, else the `<cluster>` of a long-format task ARN
 * (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`). Undefined for an old-format ARN without a
 * cluster (ECS then looks in the `default` cluster).
 */
export function clusterOf(taskArn: string, cluster: string | undefined): string | undefined {
  if (cluster) return cluster;
  const segments = taskArn.slice(taskArn.indexOf(':task/') + ':task/'.length).split('/');
  return segments.length === 2 ? segments[0] : undefined;
}

/**
 * The task, with its tags. A task ECS does not know (it answers with a `MISSING` failure, or with no
 * task at all) is a permanent, named failure.
 */
export async function describeTask(
  ecs: ECSClient,
  taskArn: string,
  cluster: string | undefined,
): Promise<Task> {
  const output = await ecs.send(
    new DescribeTasksCommand({ cluster: clusterOf(taskArn, cluster), tasks: [taskArn], include: ['TAGS'] }),
  );
  const task = output.tasks?.[0];
  if (!task) {
    const reason = output.failures?.[0]?.reason;
    throw new ResourceNotFoundError(`ECS task ${taskArn} not found${reason ? ` (${reason})` : ''}`, {
      taskArn,
    });
  }
  return task;
}

/**
 * The ENI ids of an `awsvpc` task: its `ElasticNetworkInterface` attachments' `networkInterfaceId`
 * details (a task has one; the list is for trunked or future multi-ENI tasks). Detached or deleted
 * attachments are left out: their ENI is gone or going.
 */
export function taskInterfaceIds(task: Task): string[] {
  return (task.attachments ?? [])
    .filter((attachment) => attachment.type === 'ElasticNetworkInterface')
    .filter((attachment) => !['DELETED', 'DETACHED'].includes(attachment.status ?? ''))
    .flatMap((attachment) =>
      (attachment.details ?? [])
        .filter((detail) => detail.name === 'networkInterfaceId' && detail.value)
        .map((detail) => detail.value as string),
    );
}

/**
 * The task role's name: a RunTask override (`overrides.taskRoleArn`) wins over the task definition's
 * `taskRoleArn`. Undefined when the task has no role (its containers then get no AWS credentials
 * from ECS, so there is nothing to revoke).
 */
export async function taskRoleOf(
  ecs: ECSClient,
  task: Task,
): Promise<{ roleArn: string; roleName: string } | undefined> {
  let roleArn = task.overrides?.taskRoleArn;
  if (!roleArn && task.taskDefinitionArn) {
    const output = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }),
    );
    roleArn = output.taskDefinition?.taskRoleArn;
  }
  if (!roleArn) return undefined;
  // arn:aws:iam::<account>:role/<path/>name: the name is the last segment.
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return roleName ? { roleArn, roleName } : undefined;
}

/** Whether ECS has stopped the task or is stopping it: nothing is left to isolate. */
export function isStopped(task: Task): boolean {
  return task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED';
}
