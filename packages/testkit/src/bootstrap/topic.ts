import { CreateTopicCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Changes } from './changes.js';

/**
 * Ensures an SNS topic for notifications (local stacks route every notification there). CreateTopic
 * is idempotent in SNS; we list first only to report whether this run created it.
 */
export async function ensureTopic(sns: SNSClient, name: string, changes: Changes): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken: nextToken }));
    const found = page.Topics?.find((topic) => topic.TopicArn?.split(':').pop() === name)?.TopicArn;
    if (found) return found;
    nextToken = page.NextToken;
  } while (nextToken);
  const created = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!created.TopicArn) throw new Error(`SNS CreateTopic ${name} returned no ARN`);
  changes.created.push(`sns:${name}`);
  return created.TopicArn;
}
