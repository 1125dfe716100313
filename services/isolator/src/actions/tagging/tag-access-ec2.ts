import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { tagList, tagMap } from '../../aws/tags.js';
import type { TagAccess, TagClient } from './tag-access.js';
import { describeLiveInstance } from '../ec2/live-instance.js';

export async function ec2Instance(client: TagClient, instanceId: string): Promise<TagAccess> {
  const ec2 = await client(EC2Client);
  await describeLiveInstance(ec2, instanceId);
  return {
    where: `instance ${instanceId}`,
    tagged: { instanceId },
    read: async () => tagMap((await describeLiveInstance(ec2, instanceId)).Tags),
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
