import { LambdaClient } from '@aws-sdk/client-lambda';
import type { StepContext } from '@ir/runtime';
import { describeFunction } from '../lambda/function-state.js';
import type { ResourceTags } from './gate.js';

/** A function's tags (ListTags on its unqualified ARN); a missing function is not found. */
export async function functionTags(
  client: StepContext['client'],
  functionName: string,
): Promise<ResourceTags[]> {
  const { functionArn, tags } = await describeFunction(await client(LambdaClient), functionName);
  return [{ key: `lambda-function:${functionArn}`, tags }];
}
