import {
  EKSClient,
  TagResourceCommand as EksTag,
  UntagResourceCommand as EksUntag,
} from '@aws-sdk/client-eks';
import { describeCluster } from '../eks/endpoint-state.js';
import type { TagAccess, TagClient } from './tag-access.js';

export async function eksCluster(client: TagClient, clusterName: string): Promise<TagAccess> {
  const eks = await client(EKSClient);
  const { arn } = await describeCluster(eks, clusterName);
  return {
    where: `EKS cluster ${clusterName}`,
    tagged: { clusterName },
    read: async () => ({ ...(await describeCluster(eks, clusterName)).tags }),
    write: async (tags, dryRun) => {
      if (!dryRun) await eks.send(new EksTag({ resourceArn: arn, tags: { ...tags } }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await eks.send(new EksUntag({ resourceArn: arn, tagKeys: [...keys] }));
    },
  };
}
