import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';
import { errorMessage, errorName, errorReason, isRetryable, RetryableError } from '../errors.js';
import { MessageOutcome, type RuntimeMetrics } from '../metrics.js';
import { createAccountSlots, deferMessage, deferralsOf, delayVisibility } from './account-fairness.js';
import { sendToDeadLetterQueue } from './dead-letter.js';
import { createReceiveGuard, pause as sleep, type ReceiveBackoffSettings } from './receive-backoff.js';

/** A message that passed its schema, with what the runtime needs to label and log it. */
export interface ParsedMessage<T> {
  readonly value: T;
  /** Bounded: a message type or input format, never an id (it is a metric label). */
  readonly type: string;
  readonly incidentId?: string | undefined;
  readonly correlationId?: string | undefined;
  /** The account the message acts in, when it names one: the per-account cap applies to it. */
  readonly accountId?: string | undefined;
}

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** Aborted when the handler times out or the grace period of a shutdown runs out. */
  readonly signal: AbortSignal;
  /** Child logger carrying queue, messageId and, when known, incidentId and correlationId. */
  readonly logger: Logger;
  readonly message: Message;
  /** 1 on first delivery. */
  readonly receiveCount: number;
}

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
  /** Messages received per poll and handled at once (SQS allows at most 10 per receive). */
  readonly concurrency: number;
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

/** Back-off for the n-th failed delivery: base · 2^(n-1), capped, within SQS's 12-hour limit. */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number, maxSeconds: number): number {
  const exponent = Math.max(0, Math.min(receiveCount - 1, 20));
  return Math.min(baseSeconds * 2 ** exponent, maxSeconds, 43_200);
}

/**
 * Builds a worker on sqs-consumer. Each message is parsed, handled with an AbortSignal, and
 * acknowledged on its own: success deletes it; a non-retryable error copies it to the DLQ with the
 * reason and then deletes it; a retryable error leaves it on the queue with a visibility back-off;
 * a message received while draining is released at once for another replica.
 */
export function createWorker<T>(settings: WorkerSettings<T>): Worker {
  const now = settings.now ?? (() => new Date());
  let state: WorkerState = WorkerState.idle;
  const inFlight = new Set<AbortController>();
  const idleWaiters: Array<() => void> = [];
  const log = settings.logger.child({ queue: settings.name });
  const slots =
    settings.accountConcurrency !== undefined ? createAccountSlots(settings.accountConcurrency) : undefined;
  const deferSeconds = settings.accountDeferSeconds ?? 5;
  const receives = createReceiveGuard({
    settings: settings.receiveBackoff,
    log,
    isRunning: () => state === WorkerState.running,
    onFailure: () => settings.metrics.receiveErrorsTotal.inc({ queue: settings.name }),
    now: () => now().getTime(),
  });

  /** Puts a message of a busy account back; true when the original may be deleted. */
  const defer = async (message: Message, accountId: string, type: string, messageLog: Logger) => {
    try {
      await deferMessage(settings.sqs, settings.queueUrl, message, deferSeconds);
      count(type, MessageOutcome.deferred);
      messageLog.debug(
        { accountId, deferrals: deferralsOf(message) + 1, delaySeconds: deferSeconds },
        'message_deferred',
      );
      return true;
    } catch (error: unknown) {
      messageLog.warn({ err: error, accountId }, 'message_defer_failed');
      await delayVisibility(settings.sqs, settings.queueUrl, message, deferSeconds).catch(
        (visibilityError: unknown) => messageLog.warn({ err: visibilityError }, 'message_release_failed'),
      );
      count(type, MessageOutcome.released);
      return false;
    }
  };

  const count = (type: string, outcome: MessageOutcome) =>
    settings.metrics.messagesTotal.inc({ queue: settings.name, type, outcome });

  const release = async (message: Message) => {
    await settings.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: settings.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      )
      .catch((error: unknown) =>
        log.warn({ err: error, messageId: message.MessageId }, 'message_release_failed'),
      );
  };

  const deadLetter = async (message: Message, type: string, error: unknown, messageLog: Logger) => {
    const why = { reason: errorReason(error), errorName: errorName(error), detail: errorMessage(error) };
    await sendToDeadLetterQueue(settings.sqs, {
      dlqUrl: settings.dlqUrl,
      sourceQueue: settings.name,
      message,
      why,
      now: now(),
    });
    settings.metrics.dlqTotal.inc({ queue: settings.name, reason: why.reason });
    count(type, MessageOutcome.deadLettered);
    messageLog.error(
      { reason: why.reason, errorName: why.errorName, detail: why.detail },
      'message_dead_lettered',
    );
  };

  const runHandler = async (
    parsed: ParsedMessage<T>,
    context: HandlerContext,
    controller: AbortController,
  ) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new RetryableError(`handler timed out after ${settings.handlerTimeoutMs} ms`));
        reject(
          new RetryableError(`handler timed out after ${settings.handlerTimeoutMs} ms`, {
            reason: 'timeout',
          }),
        );
      }, settings.handlerTimeoutMs);
    });
    try {
      await Promise.race([settings.handle(parsed, context), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  const handleMessage = async (message: Message): Promise<Message | undefined> => {
    if (state !== WorkerState.running) {
      await release(message);
      count('unknown', MessageOutcome.released);
      return undefined;
    }
    const started = process.hrtime.bigint();
    const sentAt = Number(message.Attributes?.SentTimestamp);
    if (Number.isFinite(sentAt)) {
      settings.metrics.queueAge.observe(
        { queue: settings.name },
        Math.max(0, now().getTime() - sentAt) / 1000,
      );
    }
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let messageLog = log.child({ messageId: message.MessageId, receiveCount });
    let type = 'unknown';
    const controller = new AbortController();
    inFlight.add(controller);
    let slotAccount: string | undefined;
    try {
      let parsed: ParsedMessage<T>;
      try {
        parsed = settings.parse(message);
      } catch (error: unknown) {
        if (isRetryable(error)) throw error;
        await deadLetter(message, type, error, messageLog);
        return message;
      }
      type = parsed.type;
      messageLog = messageLog.child({
        type,
        ...(parsed.incidentId ? { incidentId: parsed.incidentId } : {}),
        ...(parsed.correlationId ? { correlationId: parsed.correlationId } : {}),
      });
      if (slots && parsed.accountId) {
        if (!slots.tryAcquire(parsed.accountId)) {
          return (await defer(message, parsed.accountId, type, messageLog)) ? message : undefined;
        }
        slotAccount = parsed.accountId;
      }
      try {
        await runHandler(
          parsed,
          { signal: controller.signal, logger: messageLog, message, receiveCount },
          controller,
        );
      } catch (error: unknown) {
        if (isRetryable(error)) {
          count(type, MessageOutcome.retried);
          messageLog.warn(
            {
              err: error,
              retryInSeconds: retryDelaySeconds(
                receiveCount,
                settings.retryBaseSeconds,
                settings.retryMaxSeconds,
              ),
            },
            'message_retry_scheduled',
          );
          throw error;
        }
        await deadLetter(message, type, error, messageLog);
        return message;
      }
      count(type, MessageOutcome.processed);
      messageLog.debug('message_processed');
      return message;
    } finally {
      if (slots && slotAccount) slots.release(slotAccount);
      settings.metrics.messageDuration.observe(
        { queue: settings.name, type },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      inFlight.delete(controller);
      if (inFlight.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    }
  };

  const consumer = Consumer.create({
    queueUrl: settings.queueUrl,
    sqs: settings.sqs,
    batchSize: settings.concurrency,
    visibilityTimeout: settings.visibilityTimeoutSeconds,
    heartbeatInterval: settings.heartbeatSeconds,
    waitTimeSeconds: settings.waitTimeSeconds,
    messageAttributeNames: ['All'],
    preReceiveMessageCallback: receives.before,
    postReceiveMessageCallback: receives.after,
    messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    // Our handler decides acknowledgement itself: undefined leaves the message on the queue.
    strictReturn: false,
    terminateVisibilityTimeout: (messages: Message[]) =>
      retryDelaySeconds(
        Number(messages[0]?.Attributes?.ApproximateReceiveCount ?? '1'),
        settings.retryBaseSeconds,
        settings.retryMaxSeconds,
      ),
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

  const waitForIdle = (ms: number) =>
    inFlight.size === 0
      ? Promise.resolve(true)
      : Promise.race([
          new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true))),
          sleep(ms).then(() => false),
        ]);

  return {
    name: settings.name,
    get state() {
      return state;
    },
    get polling() {
      return state === WorkerState.running && consumer.status.isRunning && !receives.unready;
    },
    get inFlight() {
      return inFlight.size;
    },
    start() {
      if (state !== WorkerState.idle) return;
      state = WorkerState.running;
      receives.start();
      consumer.start();
      log.info({ concurrency: settings.concurrency }, 'worker_started');
    },
    async stop(graceMs: number) {
      if (state === WorkerState.stopped || state === WorkerState.draining) return;
      const deadline = Date.now() + graceMs;
      state = WorkerState.draining;
      receives.stop();
      consumer.stop();
      log.info({ inFlight: inFlight.size, graceMs }, 'worker_draining');
      const finished = await waitForIdle(graceMs);
      if (!finished) {
        log.warn({ inFlight: inFlight.size }, 'worker_grace_expired_aborting');
        for (const controller of inFlight)
          controller.abort(new RetryableError('shutdown grace period expired'));
        await waitForIdle(1000);
      }
      // A long poll already in flight may still return messages; they are released, not handled.
      while (consumer.status.isPolling && Date.now() < deadline) await sleep(50);
      state = WorkerState.stopped;
      log.info('worker_stopped');
    },
  };
}
