import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { RuntimeMetrics } from './metrics.js';
import type { QueueEndpoints } from './queues.js';

/** A queue's depth as SQS approximates it. */
export interface QueueDepth {
  /** `ApproximateNumberOfMessages`: visible, waiting to be received. */
  readonly messages: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received by someone and not yet deleted or released. */
  readonly inFlight: number;
}

/** Reads a queue's {@link QueueDepth} (one `GetQueueAttributes`). */
export async function readQueueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    messages: Number(output.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * Reads the depth of a queue and its DLQ into `ir_queue_depth`, for each scrape of `/metrics`. A
 * failed read is logged and leaves the previous values: a scrape never fails because SQS did.
 */
export async function refreshQueueDepth(
  sqs: SQSClient,
  metrics: RuntimeMetrics,
  queue: { readonly name: string } & QueueEndpoints,
  logger: Logger,
): Promise<void> {
  try {
    const [main, dlq] = await Promise.all([
      readQueueDepth(sqs, queue.url),
      readQueueDepth(sqs, queue.dlqUrl),
    ]);
    metrics.queueDepth.set({ queue: queue.name, kind: 'visible' }, main.messages);
    metrics.queueDepth.set({ queue: queue.name, kind: 'in_flight' }, main.inFlight);
    metrics.queueDepth.set({ queue: queue.name, kind: 'dlq' }, dlq.messages + dlq.inFlight);
  } catch (error: unknown) {
    logger.warn({ err: error, queue: queue.name }, 'queue_depth_read_failed');
  }
}
