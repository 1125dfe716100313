import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';
import { RetryableError } from '../errors.js';
import { readQueueDepth } from '../queue-depth.js';
import type { RuntimeMetrics } from '../metrics.js';
import { createAccountSlots } from './account-fairness.js';
import { createAcknowledgement } from './acknowledgement.js';
import { createDeleteBatcher } from './delete-batcher.js';
import { createMessageHandler } from './handle-message.js';
import type { HandlerContext, ParsedMessage } from './handler-context.js';
import { createInFlight } from './in-flight.js';
import { createReceiveGuard, type ReceiveBackoffSettings, pause as sleep } from './receive-backoff.js';
import { retryVisibilitySeconds } from './visibility.js';

export type { HandlerContext, ParsedMessage } from './handler-context.js';
export { retryDelaySeconds } from './visibility.js';

/** Settings of {@link createWorker}. */
export interface WorkerSettings<T> {
  /** Logical queue name for labels and logs (`findings`, `coordinator`, …). */
  readonly name: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Throws a non-retryable error (e.g. a contract error) for input that can never be handled. */
  readonly parse: (message: Message) => ParsedMessage<T>;
  readonly handle: (message: ParsedMessage<T>, context: HandlerContext) => Promise<void>;
  /** Messages handled at once (SQS allows at most 10 per receive). */
  readonly concurrency: number;
  /**
   * Receive loops sharing `concurrency` (1 when unset): each receives up to its share per poll and
   * polls again once its own messages are done. Why more than one: sqs-consumer handles a receive's
   * messages together and polls only when the slowest is done, so one long step (a snapshot, an
   * isolation) would hold back every message behind it; step workers run one loop per slot.
   */
  readonly pollers?: number | undefined;
  readonly visibilityTimeoutSeconds: number;
  readonly heartbeatSeconds: number;
  readonly handlerTimeoutMs: number;
  readonly waitTimeSeconds: number;
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  /**
   * At most this many messages of one account are handled at once; more are put back with
   * `accountDeferSeconds` delay, so a storm in one account does not starve the others. Unset: no cap.
   */
  readonly accountConcurrency?: number | undefined;
  readonly accountDeferSeconds?: number | undefined;
  /** Back-off on consecutive failed receives; {@link DEFAULT_RECEIVE_BACKOFF} when unset. */
  readonly receiveBackoff?: Partial<ReceiveBackoffSettings> | undefined;
  readonly now?: () => Date;
  /** Spans of handled messages (the runtime's tracing); unset: the API's no-op tracer. */
  readonly tracer?: Tracer | undefined;
  /**
   * How long a finished message waits for others to share its DeleteMessageBatch
   * ({@link DEFAULT_DELETE_BATCH_MS} when unset; 0 sends each at once, still without waiting).
   */
  readonly deleteBatchMs?: number | undefined;
}

/** A finished message's delete waits this long for others (see `createDeleteBatcher`). */
export const DEFAULT_DELETE_BATCH_MS = 200;

/** How long one read of the queue's backlog answers for (one GetQueueAttributes per period at most). */
const BACKLOG_CACHE_MS = 2_000;

/**
 * Whether visible messages wait in the queue, read at most every {@link BACKLOG_CACHE_MS} and only
 * when an account is over its cap. Why: the cap (and its delayed copies) exists so that a storm in
 * one account does not keep the others waiting behind it; with nothing waiting, it only delayed the
 * busy account's own messages (5 s each) while slots stood free. A failed read counts as backlogged,
 * so the cap holds.
 */
function createBacklogProbe(sqs: SQSClient, queueUrl: string, log: Logger): () => Promise<boolean> {
  let cached: { at: number; answer: Promise<boolean> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > BACKLOG_CACHE_MS) {
      const answer = readQueueDepth(sqs, queueUrl).then(
        (depth) => depth.messages > 0,
        (error: unknown) => {
          log.warn({ err: error }, 'queue_backlog_read_failed');
          return true;
        },
      );
      cached = { at: now, answer };
    }
    return cached.answer;
  };
}

/** Lifecycle of a worker. */
export const WorkerState = {
  idle: 'idle',
  running: 'running',
  draining: 'draining',
  stopped: 'stopped',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** A queue consumer with the runtime's parse → handle → acknowledge discipline. */
export interface Worker {
  readonly name: string;
  readonly state: WorkerState;
  /**
   * True while the consumer polls and its receives have not been failing for longer than
   * `receiveBackoff.unreadyAfterMs`; `/readyz` reflects it.
   */
  readonly polling: boolean;
  readonly inFlight: number;
  start(): void;
  /** Stops polling, lets in-flight handlers finish within `graceMs`, then aborts what is left. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Builds a worker on sqs-consumer. Each message is parsed, handled with an AbortSignal, and
 * acknowledged on its own: success deletes it; a non-retryable error copies it to the DLQ with the
 * reason and then deletes it; a retryable error leaves it on the queue with a visibility back-off;
 * a message received while draining is released at once for another replica. The consumer keeps
 * a message's visibility extended (`heartbeatSeconds`) while its handler runs.
 */
export function createWorker<T>(settings: WorkerSettings<T>): Worker {
  const now = settings.now ?? (() => new Date());
  let state: WorkerState = WorkerState.idle;
  const inFlight = createInFlight();
  const log = settings.logger.child({ queue: settings.name });
  const receives = createReceiveGuard({
    settings: settings.receiveBackoff,
    log,
    isRunning: () => state === WorkerState.running,
    onFailure: () => settings.metrics.receiveErrorsTotal.inc({ queue: settings.name }),
    now: () => now().getTime(),
  });
  const deletes = createDeleteBatcher({
    sqs: settings.sqs,
    queueUrl: settings.queueUrl,
    maxWaitMs: settings.deleteBatchMs ?? DEFAULT_DELETE_BATCH_MS,
    log,
    onFailed: (count) => settings.metrics.deleteErrorsTotal.inc({ queue: settings.name }, count),
  });
  const handleAndAcknowledge = createMessageHandler({
    ...settings,
    log,
    now,
    isRunning: () => state === WorkerState.running,
    slots:
      settings.accountConcurrency !== undefined ? createAccountSlots(settings.accountConcurrency) : undefined,
    backlogged: createBacklogProbe(settings.sqs, settings.queueUrl, log),
    inFlight,
    acknowledgement: createAcknowledgement({
      ...settings,
      deferSeconds: settings.accountDeferSeconds ?? 5,
      now,
    }),
  });
  // A returned message is finished (handled, dead-lettered or deferred): deleted in a batch, and the
  // receive loop goes on without waiting for it (sqs-consumer's own delete is off).
  // Tracked until the delete is queued, so stop() flushes only after the last one was added.
  const finishing = new Set<Promise<Message | undefined>>();
  const handleMessage = (message: Message) => {
    const run = handleAndAcknowledge(message).then((finished) => {
      if (finished) deletes.add(finished);
      return finished;
    });
    finishing.add(run);
    const forget = () => finishing.delete(run);
    run.then(forget, forget);
    return run;
  };

  const pollers = Math.max(1, Math.min(settings.pollers ?? 1, settings.concurrency));
  const batchSize = Math.floor(settings.concurrency / pollers);
  const consumers = Array.from({ length: pollers }, () => createConsumer());
  function createConsumer(): Consumer {
    const consumer = Consumer.create({
      queueUrl: settings.queueUrl,
      sqs: settings.sqs,
      batchSize,
      visibilityTimeout: settings.visibilityTimeoutSeconds,
      heartbeatInterval: settings.heartbeatSeconds,
      waitTimeSeconds: settings.waitTimeSeconds,
      messageAttributeNames: ['All'],
      preReceiveMessageCallback: receives.before,
      postReceiveMessageCallback: receives.after,
      messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      // Our handler decides acknowledgement itself: undefined leaves the message on the queue.
      strictReturn: false,
      shouldDeleteMessages: false,
      terminateVisibilityTimeout: (messages: Message[]) =>
        retryVisibilitySeconds(messages, settings.retryBaseSeconds, settings.retryMaxSeconds),
      handleMessage,
    });
    consumer.on('error', (error, message) => {
      // sqs-consumer emits a failed receive (and only that) without a message.
      if (message === undefined) {
        receives.failed(error);
        return;
      }
      const messageId = Array.isArray(message) ? undefined : message.MessageId;
      log.error({ err: error, messageId }, 'queue_error');
    });
    consumer.on('processing_error', (error, message) => {
      log.debug({ err: error, messageId: message.MessageId }, 'message_left_for_retry');
    });
    return consumer;
  }

  return {
    name: settings.name,
    get state() {
      return state;
    },
    get polling() {
      return (
        state === WorkerState.running &&
        consumers.every((consumer) => consumer.status.isRunning) &&
        !receives.unready
      );
    },
    get inFlight() {
      return inFlight.size;
    },
    start() {
      if (state !== WorkerState.idle) return;
      state = WorkerState.running;
      receives.start();
      for (const consumer of consumers) consumer.start();
      log.info({ concurrency: settings.concurrency, pollers }, 'worker_started');
    },
    async stop(graceMs: number) {
      if (state === WorkerState.stopped || state === WorkerState.draining) return;
      const deadline = Date.now() + graceMs;
      state = WorkerState.draining;
      receives.stop();
      for (const consumer of consumers) consumer.stop();
      log.info({ inFlight: inFlight.size, graceMs }, 'worker_draining');
      const finished = await inFlight.waitForIdle(graceMs);
      if (!finished) {
        log.warn({ inFlight: inFlight.size }, 'worker_grace_expired_aborting');
        inFlight.abortAll(() => new RetryableError('shutdown grace period expired'));
        await inFlight.waitForIdle(1000);
      }
      // A long poll already in flight may still return messages; they are released, not handled.
      while (consumers.some((consumer) => consumer.status.isPolling) && Date.now() < deadline)
        await sleep(50);
      // Bounded like the rest of the stop: a handler that ignored its abort must not hold it forever.
      const settled = new AbortController();
      void Promise.allSettled([...finishing]).then(() => settled.abort());
      await sleep(Math.max(100, deadline - Date.now()), settled.signal);
      await deletes.flush();
      state = WorkerState.stopped;
      log.info('worker_stopped');
    },
  };
}
