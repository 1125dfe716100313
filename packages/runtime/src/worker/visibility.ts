import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';

/** Back-off for the n-th failed delivery: base · 2^(n-1), capped, within SQS's 12-hour limit. */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.max(0, Math.min(receiveCount - 1, 20));
  return Math.min(baseSeconds * 2 ** exponent, maxSeconds, 43_200);
}

/**
 * The visibility timeout a message is left with after a retryable failure: the back-off of its
 * delivery count, so a retry waits on the queue rather than in the worker.
 */
export function retryVisibilitySeconds(
  messages: readonly Message[],
  baseSeconds: number,
  maxSeconds: number,
): number {
  return retryDelaySeconds(
    Number(messages[0]?.Attributes?.ApproximateReceiveCount ?? '1'),
    baseSeconds,
    maxSeconds,
  );
}

/**
 * Makes a message visible again at once, for another replica (e.g. received while draining). A
 * failure is logged, not thrown: the message then reappears when its visibility timeout ends.
 */
export async function releaseMessage(
  sqs: SQSClient,
  queueUrl: string,
  message: Message,
  log: Logger,
): Promise<void> {
  await sqs
    .send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    )
    .catch((error: unknown) =>
      log.warn({ err: error, messageId: message.MessageId }, 'message_release_failed'),
    );
}
