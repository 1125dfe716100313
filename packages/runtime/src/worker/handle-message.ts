import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { isRetryable } from '../errors.js';
import { MessageOutcome, type RuntimeMetrics } from '../metrics.js';
import type { AccountSlots } from './account-fairness.js';
import type { Acknowledgement } from './acknowledgement.js';
import type { HandlerContext, ParsedMessage } from './handler-context.js';
import type { InFlight } from './in-flight.js';
import { runHandler } from './run-handler.js';
import { releaseMessage, retryDelaySeconds } from './visibility.js';

/** What {@link createMessageHandler} needs from its worker. */
export interface MessageHandlerDeps<T> {
  /** Logical queue name, the `queue` label. */
  readonly name: string;
  readonly queueUrl: string;
  readonly sqs: SQSClient;
  readonly metrics: RuntimeMetrics;
  readonly parse: (message: Message) => ParsedMessage<T>;
  readonly handle: (message: ParsedMessage<T>, context: HandlerContext) => Promise<void>;
  readonly handlerTimeoutMs: number;
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  /** The worker's logger (carrying the queue). */
  readonly log: Logger;
  readonly now: () => Date;
  /** False once the worker drains: a message received then is released, not handled. */
  readonly isRunning: () => boolean;
  readonly slots: AccountSlots | undefined;
  readonly inFlight: InFlight;
  readonly acknowledgement: Acknowledgement;
}

/**
 * The sqs-consumer `handleMessage` of a worker: parse → per-account cap → handle with an
 * AbortSignal → acknowledge. Returning the message deletes it (handled, dead-lettered or deferred);
 * returning undefined or throwing leaves it on the queue (released, or retried after the back-off
 * the consumer sets as its visibility timeout).
 */
export function createMessageHandler<T>(
  deps: MessageHandlerDeps<T>,
): (message: Message) => Promise<Message | undefined> {
  const { acknowledgement: ack, slots, inFlight, log } = deps;

  return async (message) => {
    if (!deps.isRunning()) {
      await releaseMessage(deps.sqs, deps.queueUrl, message, log);
      ack.count('unknown', MessageOutcome.released);
      return undefined;
    }
    const started = process.hrtime.bigint();
    const sentAt = Number(message.Attributes?.SentTimestamp);
    if (Number.isFinite(sentAt)) {
      deps.metrics.queueAge.observe({ queue: deps.name }, Math.max(0, deps.now().getTime() - sentAt) / 1000);
    }
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let messageLog = log.child({ messageId: message.MessageId, receiveCount });
    let type = 'unknown';
    const controller = inFlight.begin();
    let slotAccount: string | undefined;
    try {
      let parsed: ParsedMessage<T>;
      try {
        parsed = deps.parse(message);
      } catch (error: unknown) {
        if (isRetryable(error)) throw error;
        await ack.deadLetter(message, type, error, messageLog);
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
          return (await ack.defer(message, parsed.accountId, type, messageLog)) ? message : undefined;
        }
        slotAccount = parsed.accountId;
      }
      try {
        await runHandler(
          deps.handle,
          parsed,
          { signal: controller.signal, logger: messageLog, message, receiveCount },
          controller,
          deps.handlerTimeoutMs,
        );
      } catch (error: unknown) {
        if (isRetryable(error)) {
          ack.count(type, MessageOutcome.retried);
          messageLog.warn(
            {
              err: error,
              retryInSeconds: retryDelaySeconds(receiveCount, deps.retryBaseSeconds, deps.retryMaxSeconds),
            },
            'message_retry_scheduled',
          );
          throw error;
        }
        await ack.deadLetter(message, type, error, messageLog);
        return message;
      }
      ack.count(type, MessageOutcome.processed);
      messageLog.debug('message_processed');
      return message;
    } finally {
      if (slots && slotAccount) slots.release(slotAccount);
      deps.metrics.messageDuration.observe(
        { queue: deps.name, type },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      inFlight.end(controller);
    }
  };
}
