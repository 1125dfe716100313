import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { errorName, isRetryable } from '../errors.js';
import { MessageOutcome, type RuntimeMetrics } from '../metrics.js';
import { extractTraceContext } from '../tracing/propagation.js';
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
  /**
   * Whether messages wait in the queue (visible, not yet received). An account over its cap is put
   * back only then: with nothing waiting, no other account can be kept waiting by it.
   */
  readonly backlogged?: (() => Promise<boolean>) | undefined;
  readonly inFlight: InFlight;
  readonly acknowledgement: Acknowledgement;
  /** Makes the `handle <type>` span of each message; the API's no-op tracer when tracing is off. */
  readonly tracer?: Tracer | undefined;
}

/** Ends a message's span with its outcome (and the error's name when it failed). */
function endSpan(span: Span, outcome: string, error: unknown): void {
  span.setAttribute('ir.outcome', outcome);
  if (error !== undefined) {
    span.setAttribute('error.type', errorName(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
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
  const tracer = deps.tracer ?? trace.getTracer('@ir/runtime');

  return async (message) => {
    if (!deps.isRunning()) {
      await releaseMessage(deps.sqs, deps.queueUrl, message, log);
      ack.count('unknown', MessageOutcome.released);
      return undefined;
    }
    const started = process.hrtime.bigint();
    const sentAt = Number(message.Attributes?.SentTimestamp);
    const waitedMs = Number.isFinite(sentAt) ? Math.max(0, deps.now().getTime() - sentAt) : undefined;
    if (waitedMs !== undefined) deps.metrics.queueAge.observe({ queue: deps.name }, waitedMs / 1000);
    // A child of the span that sent the message (its traceparent), so an incident is one trace.
    const parent = extractTraceContext(message);
    const span = tracer.startSpan(
      'handle unknown',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'aws_sqs',
          'messaging.destination.name': deps.name,
          ...(message.MessageId ? { 'messaging.message.id': message.MessageId } : {}),
          ...(waitedMs !== undefined ? { 'messaging.queue_wait_ms': waitedMs } : {}),
        },
      },
      parent,
    );
    let outcome: string = MessageOutcome.processed;
    let failure: unknown;
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
        outcome = MessageOutcome.deadLettered;
        failure = error;
        await ack.deadLetter(message, type, error, messageLog);
        return message;
      }
      type = parsed.type;
      span.updateName(`handle ${type}`);
      span.setAttributes({
        'ir.message.type': type,
        ...(parsed.incidentId ? { 'ir.incident_id': parsed.incidentId } : {}),
        ...(parsed.correlationId ? { 'ir.correlation_id': parsed.correlationId } : {}),
      });
      messageLog = messageLog.child({
        type,
        ...(parsed.incidentId ? { incidentId: parsed.incidentId } : {}),
        ...(parsed.correlationId ? { correlationId: parsed.correlationId } : {}),
      });
      if (slots && parsed.accountId) {
        const admitted =
          slots.tryAcquire(parsed.accountId) ||
          (deps.backlogged !== undefined &&
            !(await deps.backlogged()) &&
            slots.tryAcquire(parsed.accountId, { overCap: true }));
        if (!admitted) {
          const deferred = await ack.defer(message, parsed.accountId, type, messageLog);
          outcome = deferred ? MessageOutcome.deferred : MessageOutcome.released;
          return deferred ? message : undefined;
        }
        slotAccount = parsed.accountId;
      }
      try {
        // The handler runs with its span active: its AWS calls and publishes are children of it.
        await context.with(trace.setSpan(parent, span), () =>
          runHandler(
            deps.handle,
            parsed,
            { signal: controller.signal, logger: messageLog, message, receiveCount },
            controller,
            deps.handlerTimeoutMs,
          ),
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
        outcome = MessageOutcome.deadLettered;
        failure = error;
        await ack.deadLetter(message, type, error, messageLog);
        return message;
      }
      ack.count(type, MessageOutcome.processed);
      messageLog.debug('message_processed');
      return message;
    } catch (error: unknown) {
      // Whatever throws leaves the message on its queue, to be received again.
      outcome = MessageOutcome.retried;
      failure = error;
      throw error;
    } finally {
      if (slots && slotAccount) slots.release(slotAccount);
      deps.metrics.messageDuration.observe(
        { queue: deps.name, type },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      inFlight.end(controller);
      endSpan(span, outcome, failure);
    }
  };
}
