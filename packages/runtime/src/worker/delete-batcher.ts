import { DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';

/** SQS's limit of entries in one DeleteMessageBatch. */
const MAX_BATCH = 10;

/** Settings of {@link createDeleteBatcher}. */
export interface DeleteBatcherSettings {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** How long a finished message waits for others to share its DeleteMessageBatch. */
  readonly maxWaitMs: number;
  readonly log: Logger;
  /** Messages whose delete failed (they become visible again when their visibility ends). */
  readonly onFailed: (count: number) => void;
}

/** Deletes finished messages in batches; see {@link createDeleteBatcher}. */
export interface DeleteBatcher {
  /** Queues a finished message for deletion; never throws, never waits. */
  add(message: Message): void;
  /** Sends every queued delete now and waits for all in flight (on stop). */
  flush(): Promise<void>;
}

/**
 * Why: a message hop cost three SQS calls (send, receive, delete), and the delete was one call per
 * message that also held its receive loop until SQS answered. Finished messages now wait up to
 * `maxWaitMs` for others and go in one DeleteMessageBatch (up to ten; ten at once are sent at
 * once), and the loop polls again without waiting for it.
 *
 * What a lost delete costs: nothing is lost. A message whose delete fails, or whose process dies in
 * that short wait, stays in the queue and is received again when its visibility timeout ends; every
 * handler is idempotent for a redelivery (SQS is at-least-once anyway), and the failure is logged
 * and counted.
 */
export function createDeleteBatcher(settings: DeleteBatcherSettings): DeleteBatcher {
  let queued: Message[] = [];
  let timer: NodeJS.Timeout | undefined;
  const sending = new Set<Promise<void>>();

  const send = async (batch: readonly Message[]) => {
    const failed = (entries: readonly Message[], detail: Record<string, unknown>) => {
      settings.onFailed(entries.length);
      settings.log.warn(
        { ...detail, messageIds: entries.map((message) => message.MessageId) },
        'message_delete_failed',
      );
    };
    try {
      const output = await settings.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: settings.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      const refused = output.Failed ?? [];
      if (refused.length > 0) {
        failed(
          refused.map((entry) => batch[Number(entry.Id)] as Message),
          { codes: [...new Set(refused.map((entry) => entry.Code))] },
        );
      }
    } catch (error: unknown) {
      failed(batch, { err: error });
    }
  };
  const drain = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queued.length > 0) {
      const done = send(queued.slice(0, MAX_BATCH));
      queued = queued.slice(MAX_BATCH);
      sending.add(done);
      void done.finally(() => sending.delete(done));
    }
  };

  return {
    add(message) {
      queued.push(message);
      if (queued.length >= MAX_BATCH) drain();
      else if (!timer) {
        timer = setTimeout(drain, settings.maxWaitMs);
        timer.unref();
      }
    },
    async flush() {
      drain();
      await Promise.all([...sending]);
    },
  };
}
