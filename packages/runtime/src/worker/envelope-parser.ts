import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import { type Message, type MessageType, parseMessage } from '@ir/contracts';
import { NonRetryableError } from '../errors.js';
import type { ParsedMessage } from './handler-context.js';

/** A message of one of the accepted types, narrowed. */
export type AcceptedMessage<T extends MessageType> = Extract<Message, { type: T }>;

/**
 * The parse function for queues that carry contracts envelopes: the body must pass its schema and be
 * one of the types this queue accepts. Anything else is non-retryable and goes to the DLQ at once,
 * naming the field (schema errors) or the type (a message sent to the wrong queue).
 */
export function envelopeParser<T extends MessageType>(
  queue: string,
  accepted: readonly T[],
): (message: SqsMessage) => ParsedMessage<AcceptedMessage<T>> {
  const allowed = new Set<string>(accepted);
  return (message) => {
    const parsed = parseMessage(message.Body ?? '');
    if (!allowed.has(parsed.type)) {
      throw new NonRetryableError(
        `message type ${parsed.type} is not handled on the ${queue} queue (accepted: ${accepted.join(', ')})`,
        { reason: 'unknown-type', context: { type: parsed.type } },
      );
    }
    const accountId = accountOf(parsed.payload);
    return {
      value: parsed as AcceptedMessage<T>,
      type: parsed.type,
      incidentId: parsed.incidentId,
      correlationId: parsed.correlationId,
      ...(accountId ? { accountId } : {}),
    };
  };
}

/** The account a message acts in: a step command's `target`, or an opened incident's finding. */
function accountOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const record = payload as { target?: { accountId?: unknown }; finding?: { accountId?: unknown } };
  const accountId = record.target?.accountId ?? record.finding?.accountId;
  return typeof accountId === 'string' ? accountId : undefined;
}
