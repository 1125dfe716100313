import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RetryableError } from './errors.js';
import { traceAttributes } from './tracing/propagation.js';

/** The envelope fields the publisher turns into SQS message attributes. */
export interface Publishable {
  readonly id: string;
  readonly type: string;
  readonly incidentId: string;
  readonly correlationId?: string;
}

/** Sends typed messages to named queues. */
export interface Publisher<Q extends string> {
  /**
   * Sends every message, in batches of at most 10; throws a RetryableError naming any that failed.
   * `delaySeconds` (0–900, SQS's limit) holds them back, e.g. for a service's follow-up to itself.
   */
  publish(queue: Q, messages: readonly Publishable[], options?: PublishOptions): Promise<void>;
}

/** Options of {@link Publisher.publish}. */
export interface PublishOptions {
  readonly delaySeconds?: number;
}

/** SQS's limits for one SendMessageBatch call. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** Splits messages into SendMessageBatch-sized chunks: ≤10 entries and within the payload limit. */
export function chunkForBatch<T>(items: readonly T[], sizeOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A publisher over SendMessageBatch. `type` and `incidentId` (and `correlationId`) travel as message
 * attributes so queues can be inspected and filtered without parsing bodies; so does the W3C trace
 * context of the handler that publishes (`traceparent`, when tracing is on), so the receiving
 * service's span joins the incident's trace. At most 5 attributes, leaving room for the 6 a
 * dead-letter copy adds within SQS's 10. Partial batch failures
 * are not swallowed: the call throws, so the message being handled is retried (consumers are
 * idempotent by message id and version, so resending the ones that did go through is safe).
 */
export function createPublisher<Q extends string>(
  sqs: SQSClient,
  queueUrls: Readonly<Record<Q, string>>,
): Publisher<Q> {
  return {
    async publish(queue, messages, options = {}) {
      const delay =
        options.delaySeconds === undefined
          ? {}
          : { DelaySeconds: Math.min(900, Math.max(0, Math.round(options.delaySeconds))) };
      const entries = messages.map((message) => ({
        body: JSON.stringify(message),
        message,
      }));
      const failures: string[] = [];
      const trace = traceAttributes();
      for (const chunk of chunkForBatch(entries, (entry) => Buffer.byteLength(entry.body) + 200)) {
        const output = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrls[queue],
            Entries: chunk.map(({ body, message }, index) => ({
              Id: String(index),
              MessageBody: body,
              ...delay,
              MessageAttributes: {
                type: text(message.type),
                incidentId: text(message.incidentId),
                ...(message.correlationId ? { correlationId: text(message.correlationId) } : {}),
                ...trace,
              },
            })),
          }),
        );
        for (const failed of output.Failed ?? []) {
          const entry = chunk[Number(failed.Id)];
          failures.push(
            `${entry?.message.type ?? '?'} ${entry?.message.id ?? '?'}: ${failed.Code} ${failed.Message ?? ''}`,
          );
        }
      }
      if (failures.length > 0) {
        throw new RetryableError(
          `SendMessageBatch to ${queue} failed for ${failures.length} message(s): ${failures.join('; ')}`,
          {
            reason: 'publish-failed',
          },
        );
      }
    },
  };
}
