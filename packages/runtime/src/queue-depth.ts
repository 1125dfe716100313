import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { RuntimeMetrics } from './metrics.js';
import type { QueueEndpoints } from './queues.js';

const count = (attributes: Record<string, string> | undefined, name: string) =>
  Number(attributes?.[name] ?? 0);

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
  const read = (url: string) =>
    sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
  try {
    const [main, dlq] = await Promise.all([read(queue.url), read(queue.dlqUrl)]);
    metrics.queueDepth.set(
      { queue: queue.name, kind: 'visible' },
      count(main.Attributes, 'ApproximateNumberOfMessages'),
    );
    metrics.queueDepth.set(
      { queue: queue.name, kind: 'in_flight' },
      count(main.Attributes, 'ApproximateNumberOfMessagesNotVisible'),
    );
    metrics.queueDepth.set(
      { queue: queue.name, kind: 'dlq' },
      count(dlq.Attributes, 'ApproximateNumberOfMessages') +
        count(dlq.Attributes, 'ApproximateNumberOfMessagesNotVisible'),
    );
  } catch (error: unknown) {
    logger.warn({ err: error, queue: queue.name }, 'queue_depth_read_failed');
  }
}
