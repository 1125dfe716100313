import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Visible plus in-flight messages, read from SQS. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/**
 * Receives messages (with all attributes) until `expected` have arrived or the time runs out. The
 * messages stay invisible for five minutes, so a test reads each once; use it on queues that no
 * worker under test consumes (DLQs, or a queue the test plays the consumer of).
 */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...(output.Messages ?? []));
  }
  return messages;
}

/** Polls `check` until it returns true; throws naming `what` when the time runs out. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms`);
}
