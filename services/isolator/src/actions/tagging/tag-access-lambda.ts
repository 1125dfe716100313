import {
  LambdaClient,
  TagResourceCommand as LambdaTag,
  UntagResourceCommand as LambdaUntag,
} from '@aws-sdk/client-lambda';
import { describeFunction } from '../lambda/function-state.js';
import type { TagAccess, TagClient } from './tag-access.js';

export async function lambdaFunction(client: TagClient, functionName: string): Promise<TagAccess> {
  const lambda = await client(LambdaClient);
  const { functionArn } = await describeFunction(lambda, functionName);
  return {
    where: `Lambda function ${functionName}`,
    tagged: { functionName, functionArn },
    read: async () => (await describeFunction(lambda, functionName)).tags,
    write: async (tags, dryRun) => {
      if (!dryRun) await lambda.send(new LambdaTag({ Resource: functionArn, Tags: { ...tags } }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await lambda.send(new LambdaUntag({ Resource: functionArn, TagKeys: [...keys] }));
    },
  };
}
