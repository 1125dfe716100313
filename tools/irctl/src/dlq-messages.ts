import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';

/** Prefix of the attributes the runtime adds when it dead-letters a message. */
export const DLQ_ATTRIBUTE_PREFIX = 'ir-dlq-';

/**
 * Reason shown for a message with no `ir-dlq-reason`: SQS's redrive policy moved it after
 * `maxReceiveCount` failed deliveries (retryable errors that never passed), not the runtime.
 */
export const RETRIES_EXHAUSTED = 'retries-exhausted';

/** A dead-lettered message as an operator reads it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  readonly error: string | null;
  readonly detail: string | null;
  readonly sourceQueue: string | null;
  readonly failedAt: string | null;
  readonly receiveCount: string | null;
  /** The message's `type` and `incidentId` attributes, when it is an envelope. */
  readonly type: string | null;
  readonly incidentId: string | null;
  readonly body: string;
}

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue ?? null;

/** Reads the runtime's DLQ attributes off a message; see {@link RETRIES_EXHAUSTED} for those without. */
export function describeDeadLetter(message: Message): DeadLetter {
  return {
    messageId: message.MessageId ?? '',
    reason: attribute(message, DlqAttribute.reason) ?? RETRIES_EXHAUSTED,
    error: attribute(message, DlqAttribute.error),
    detail: attribute(message, DlqAttribute.detail),
    sourceQueue: attribute(message, DlqAttribute.sourceQueue),
    failedAt: attribute(message, DlqAttribute.failedAt),
    receiveCount:
      attribute(message, DlqAttribute.receiveCount) ?? message.Attributes?.ApproximateReceiveCount ?? null,
    type: attribute(message, 'type'),
    incidentId: attribute(message, 'incidentId'),
    body: message.Body ?? '',
  };
}

/**
 * The message's attributes minus the runtime's `ir-dlq-*` ones, rebuilt with only the fields
 * SendMessage takes: what a redriven message carries back to its queue.
 */
export function redriveAttributes(message: Message): Record<string, MessageAttributeValue> {
  const kept: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name.startsWith(DLQ_ATTRIBUTE_PREFIX) || !value.DataType) continue;
    kept[name] =
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue }
        : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
  }
  return kept;
}

/** One receive from a DLQ with every attribute; `waitSeconds` 1 so SQS does not sample an empty answer. */
export async function receiveBatch(
  sqs: SQSClient,
  queueUrl: string,
  visibilityTimeout: number,
  max = 10,
): Promise<Message[]> {
  const output = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return output.Messages ?? [];
}

/**
 * Makes received messages visible again at once (visibility 0), so listing a DLQ leaves it as found.
 * Returns how many SQS did not release (they reappear when their visibility timeout ends).
 */
export async function releaseMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let failed = 0;
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const output = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
    failed += output.Failed?.length ?? 0;
  }
  return failed;
}
