import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';

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
