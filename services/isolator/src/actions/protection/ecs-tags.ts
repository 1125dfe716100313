import { ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import type { StepContext } from '@ir/runtime';
import { describeTask, isStopped, taskInterfaceIds, taskRoleOf } from '../ecs/task.js';
import type { ResourceTags } from './gate.js';
import { interfaceTags } from './ec2-tags.js';
import { roleTags } from './iam-tags.js';

const pairs = (tags: readonly { key?: string | undefined; value?: string | undefined }[] = []) =>
  Object.fromEntries(tags.flatMap((tag) => (tag.key ? [[tag.key, tag.value ?? '']] : [])));

/**
 * A task's tags (DescribeTasks with TAGS) and its cluster's (ListTagsForResource): a task of a
 * protected cluster is protected. With `isolate` (contain.ecs-task, not the tag-only form), also what
 * the isolation changes: the task's ENIs and its task role (whose sessions are revoked). A stopped task
 * is the handler's to refuse.
 */
export async function taskTags(
  client: StepContext['client'],
  params: { taskArn: string; cluster?: string | undefined },
  isolate: boolean,
): Promise<ResourceTags[]> {
  const ecs = await client(ECSClient);
  const task = await describeTask(ecs, params.taskArn, params.cluster);
  const taskArn = task.taskArn ?? params.taskArn;
  const read: ResourceTags[] = [{ key: `ecs-task:${taskArn}`, tags: pairs(task.tags) }];
  if (task.clusterArn) {
    const output = await ecs.send(new ListTagsForResourceCommand({ resourceArn: task.clusterArn }));
    const clusterName = task.clusterArn.slice(task.clusterArn.lastIndexOf('/') + 1);
    read.push({ key: `ecs-cluster:${clusterName}`, tags: pairs(output.tags) });
  }
  if (isolate && !isStopped(task)) {
    read.push(...(await interfaceTags(client, taskInterfaceIds(task))));
    const role = await taskRoleOf(ecs, task);
    if (role) read.push(...(await roleTags(client, role.roleName)));
  }
  return read;
}
