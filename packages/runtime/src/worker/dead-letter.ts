import {
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Message attributes a dead-lettered message carries, so an operator can see why without logs. */
export const DlqAttribute = {
  reason: 'ir-dlq-reason',
  error: 'ir-dlq-error',
  detail: 'ir-dlq-detail',
  sourceQueue: 'ir-dlq-source-queue',
  failedAt: 'ir-dlq-failed-at',
  receiveCount: 'ir-dlq-receive-count',
} as const;

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  readonly reason: string;
  readonly errorName: string;
  readonly detail: string;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** SQS allows 10 message attributes; the original ones we keep come after ours. */
const MAX_ATTRIBUTES = 10;

/**
 * Original attributes kept first when not all fit (the publisher's 3 and the trace context):
 * what an operator filters on, then what ties the message to its incident's trace.
 */
const KEEP_FIRST = ['type', 'incidentId', 'correlationId', 'traceparent', 'tracestate'];
const keepRank = (name: string) => {
  const rank = KEEP_FIRST.indexOf(name);
  return rank === -1 ? KEEP_FIRST.length : rank;
};

/**
 * Sends a copy of `message` to the dead-letter queue with the reason as attributes. The caller deletes
 * the original only after this resolves, so a failure here leaves the message on its queue (where the
 * redrive policy still moves it to the DLQ eventually): nothing is lost either way.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  input: { dlqUrl: string; sourceQueue: string; message: Message; why: DeadLetterReason; now: Date },
): Promise<void> {
  const ours: Record<string, MessageAttributeValue> = {
    [DlqAttribute.reason]: text(input.why.reason.slice(0, 256)),
    [DlqAttribute.error]: text(input.why.errorName.slice(0, 256)),
    [DlqAttribute.detail]: text(input.why.detail.slice(0, 2048) || '-'),
    [DlqAttribute.sourceQueue]: text(input.sourceQueue),
    [DlqAttribute.failedAt]: text(input.now.toISOString()),
    [DlqAttribute.receiveCount]: text(input.message.Attributes?.ApproximateReceiveCount ?? '1'),
  };
  const kept = Object.entries(input.message.MessageAttributes ?? {})
    .filter(([name]) => !(name in ours))
    .sort(([a], [b]) => keepRank(a) - keepRank(b))
    .slice(0, MAX_ATTRIBUTES - Object.keys(ours).length);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: input.dlqUrl,
      MessageBody: input.message.Body && input.message.Body.length > 0 ? input.message.Body : '(empty body)',
      MessageAttributes: { ...Object.fromEntries(kept), ...ours },
    }),
  );
}
