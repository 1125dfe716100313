import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { tagList, tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import type { TagAccess, TagClient } from './tag-access.js';

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  let instance: Instance | undefined;
  try {
    instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]
      ?.Instances?.[0];
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
  }
  const state = instance?.State?.Name;
  if (!instance || state === 'terminated') {
    throw new ResourceNotFoundError(`instance ${instanceId} not found${state ? ` (${state})` : ''}`, {
      instanceId,
    });
  }
  return instance;
}

export async function ec2Instance(client: TagClient, instanceId: string): Promise<TagAccess> {
  const ec2 = await client(EC2Client);
  await describeInstance(ec2, instanceId);
  return {
    where: `instance ${instanceId}`,
    tagged: { instanceId },
    read: async () => tagMap((await describeInstance(ec2, instanceId)).Tags),
    write: (tags, dryRun) =>
      sendEc2Write(
        (DryRun) => ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tagList(tags), DryRun })),
        dryRun,
      ),
    remove: async (keys) => {
      if (keys.length === 0) return;
      await ec2.send(new DeleteTagsCommand({ Resources: [instanceId], Tags: keys.map((Key) => ({ Key })) }));
    },
  };
}
