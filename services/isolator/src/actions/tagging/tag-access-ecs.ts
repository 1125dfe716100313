import {
  DescribeTasksCommand,
  ECSClient,
  TagResourceCommand as EcsTag,
  UntagResourceCommand as EcsUntag,
} from '@aws-sdk/client-ecs';
import { describeTask } from '../ecs/task.js';
import type { TagAccess, TagClient } from './tag-access.js';

export async function ecsTask(
  client: TagClient,
  taskArn: string,
  cluster: string | undefined,
): Promise<TagAccess> {
  const ecs = await client(ECSClient);
  const task = await describeTask(ecs, taskArn, cluster);
  const arn = task.taskArn ?? taskArn;
  return {
    where: `ECS task ${arn}`,
    tagged: { taskArn: arn },
    read: async () => {
      const output = await ecs.send(
        new DescribeTasksCommand({ cluster: task.clusterArn, tasks: [arn], include: ['TAGS'] }),
      );
      return Object.fromEntries(
        (output.tasks?.[0]?.tags ?? []).flatMap((t) => (t.key ? [[t.key, t.value ?? '']] : [])),
      );
    },
    write: async (tags, dryRun) => {
      if (dryRun) return;
      const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
      await ecs.send(new EcsTag({ resourceArn: arn, tags: list }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await ecs.send(new EcsUntag({ resourceArn: arn, tagKeys: [...keys] }));
    },
  };
}
