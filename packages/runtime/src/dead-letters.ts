import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DeadLetterReadError, errorMessage, errorName } from './errors.js';
import { DlqAttribute } from './worker/dead-letter.js';

/** Prefix of the attributes the runtime adds when it dead-letters a message ({@link DlqAttribute}). */
export const DLQ_ATTRIBUTE_PREFIX = 'ir-dlq-';

/**
 * Reason shown for a message with no `ir-dlq-reason`: SQS's redrive policy moved it after
 * `maxReceiveCount` failed deliveries (retryable errors that never passed), not the runtime.
 */
export const RETRIES_EXHAUSTED = 'retries-exhausted';

/** A dead-lettered message as an operator reads it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  readonly error: string | null;
  readonly detail: string | null;
  readonly sourceQueue: string | null;
  readonly failedAt: string | null;
  readonly receiveCount: string | null;
  /** The message's `type` and `incidentId` attributes, when it is an envelope. */
  readonly type: string | null;
  readonly incidentId: string | null;
  readonly body: string;
}

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue ?? null;

/** Reads the runtime's DLQ attributes off a message; see {@link RETRIES_EXHAUSTED} for those without. */
export function describeDeadLetter(message: Message): DeadLetter {
  return {
    messageId: message.MessageId ?? '',
    reason: attribute(message, DlqAttribute.reason) ?? RETRIES_EXHAUSTED,
    error: attribute(message, DlqAttribute.error),
    detail: attribute(message, DlqAttribute.detail),
    sourceQueue: attribute(message, DlqAttribute.sourceQueue),
    failedAt: attribute(message, DlqAttribute.failedAt),
    receiveCount:
      attribute(message, DlqAttribute.receiveCount) ?? message.Attributes?.ApproximateReceiveCount ?? null,
    type: attribute(message, 'type'),
    incidentId: attribute(message, 'incidentId'),
    body: message.Body ?? '',
  };
}

/**
 * The start of the DLQ reason of a decision whose signature failed (the coordinator's
 * `ForgedDecisionError`: `decision-signature-<why>`).
 */
export const FORGED_DECISION_REASON_PREFIX = 'decision-signature-';

/**
 * Why a dead letter must not be redriven, or undefined when it may be: the `refuse` of every redrive
 * (irctl's and the console's). Why a forged decision stays: it is evidence of whoever could send to
 * the coordinator queue (the forged-decision alarm says "do not redrive it"), and redriving it would
 * only be refused again, or, signed with a key since rotated in, applied. No operator can override
 * this, not even by naming the message.
 */
export function redriveRefusal(letter: Pick<DeadLetter, 'reason'>): string | undefined {
  if (!letter.reason.startsWith(FORGED_DECISION_REASON_PREFIX)) return undefined;
  return `a decision whose signature failed (${letter.reason}) is evidence of a forgery, not work to retry: it stays in the DLQ`;
}

/**
 * The message's attributes minus the runtime's `ir-dlq-*` ones, rebuilt with only the fields
 * SendMessage takes: what a redriven message carries back to its queue.
 */
export function redriveAttributes(message: Message): Record<string, MessageAttributeValue> {
  const kept: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name.startsWith(DLQ_ATTRIBUTE_PREFIX) || !value.DataType) continue;
    kept[name] =
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue }
        : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
  }
  return kept;
}

/** One receive from a DLQ with every attribute; `waitSeconds` 1 so SQS does not sample an empty answer. */
async function receiveBatch(
  sqs: SQSClient,
  queueUrl: string,
  visibilityTimeout: number,
  max: number,
): Promise<Message[]> {
  const output = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return output.Messages ?? [];
}

/**
 * Makes received messages visible again at once (visibility 0), so a reader leaves the DLQ as found.
 * Never throws: returns how many SQS did not release (they reappear when their visibility timeout ends).
 */
async function releaseMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<number> {
  let failed = 0;
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    try {
      const output = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
      failed += output.Failed?.length ?? 0;
    } catch {
      failed += chunk.length;
    }
  }
  return failed;
}

/**
 * Receives until `limit` distinct messages, or until a receive brings none not seen yet (the DLQ has
 * no more visible ones). Each message stays hidden for `visibilityTimeout` seconds, so one read never
 * sees a message twice; `each` decides what becomes of it.
 */
async function receiveDistinct(
  sqs: SQSClient,
  queueUrl: string,
  settings: { readonly limit: number; readonly visibilityTimeout: number; readonly done?: () => boolean },
  each: (message: Message & { MessageId: string }) => Promise<void> | void,
): Promise<void> {
  const seen = new Set<string>();
  while (seen.size < settings.limit && !settings.done?.()) {
    const batch = await receiveBatch(sqs, queueUrl, settings.visibilityTimeout, settings.limit - seen.size);
    const fresh = batch.filter(
      (message): message is Message & { MessageId: string } =>
        message.MessageId !== undefined && message.MessageId !== '' && !seen.has(message.MessageId),
    );
    if (fresh.length === 0) return;
    for (const message of fresh) {
      seen.add(message.MessageId);
      await each(message);
    }
  }
}

/** What {@link peekDeadLetters} read. */
export interface DeadLetterPeek {
  readonly letters: readonly DeadLetter[];
  /** Messages SQS did not make visible again: they stay hidden until their visibility timeout ends. */
  readonly unreleased: number;
}

/**
 * Reads up to `limit` messages of a DLQ without taking them: each is received (hidden for
 * `visibilityTimeout` seconds while the read goes on, so none is counted twice) and all are made
 * visible again at once when the read ends, so reading leaves the DLQ as found. A receive that fails
 * throws a `DeadLetterReadError` after the release.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  options: { readonly limit: number; readonly visibilityTimeout?: number },
): Promise<DeadLetterPeek> {
  const received: Message[] = [];
  const settings = { limit: options.limit, visibilityTimeout: options.visibilityTimeout ?? 30 };
  try {
    await receiveDistinct(sqs, dlqUrl, settings, (message) => {
      received.push(message);
    });
  } catch (error: unknown) {
    const unreleased = await releaseMessages(sqs, dlqUrl, received);
    throw new DeadLetterReadError(dlqUrl, error, { moved: [], problems: [], unreleased });
  }
  const unreleased = await releaseMessages(sqs, dlqUrl, received);
  return { letters: received.map(describeDeadLetter), unreleased };
}

/** A message a redrive did not move, and at which stage. */
export interface DeadLetterRedriveProblem {
  readonly messageId: string;
  /** `refused` by the caller's `refuse`; `send` (still only in the DLQ) or `delete` (in both queues) failed. */
  readonly stage: 'refused' | 'send' | 'delete';
  readonly message: string;
}

/** What a redrive is asked to do. */
export interface DeadLetterRedrive {
  /** The dead-letter queue's URL, where messages are taken from. */
  readonly from: string;
  /** The work queue's URL, where they are sent. */
  readonly to: string;
  /** The most messages received from the DLQ (each moved, refused, failed, or passed over when not named). */
  readonly limit: number;
  /** Only these messages; any other received while looking for them is made visible again untouched. */
  readonly messageIds?: readonly string[];
  /** Why a message must stay in the DLQ (reported as stage `refused`), or undefined to move it. */
  readonly refuse?: (letter: DeadLetter) => string | undefined;
  /** Seconds received messages stay hidden while the redrive runs (default 60). */
  readonly visibilityTimeout?: number;
}

/** What a redrive did. */
export interface DeadLetterRedriveOutcome {
  /** Ids of the messages now in the work queue and gone from the DLQ. */
  readonly moved: readonly string[];
  readonly problems: readonly DeadLetterRedriveProblem[];
  /** Named ids the DLQ did not hand out within `limit` receives (already moved, or hidden by another reader). */
  readonly notFound: readonly string[];
  /** Messages left in the DLQ that SQS did not make visible again (they reappear after their timeout). */
  readonly unreleased: number;
}

const failure = (error: unknown) => `${errorName(error)}: ${errorMessage(error)}`;

/**
 * Moves messages from a DLQ back to their work queue. Each is sent first (body and attributes minus
 * the `ir-dlq-*` ones) and deleted from the DLQ only after the send succeeded, so a failure can leave
 * a message in both queues (stage `delete`) but never in neither. Messages not moved (not named,
 * refused, not sent) are made visible again when the redrive ends. A receive that fails throws a
 * `DeadLetterReadError` that lists what was moved, and what was not, before it.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  redrive: DeadLetterRedrive,
): Promise<DeadLetterRedriveOutcome> {
  const wanted = redrive.messageIds === undefined ? undefined : new Set(redrive.messageIds);
  const found = new Set<string>();
  const moved: string[] = [];
  const problems: DeadLetterRedriveProblem[] = [];
  const untouched: Message[] = [];

  const move = async (message: Message & { MessageId: string }) => {
    const messageId = message.MessageId;
    if (wanted) {
      if (!wanted.has(messageId)) {
        untouched.push(message);
        return;
      }
      found.add(messageId);
    }
    const refusal = redrive.refuse?.(describeDeadLetter(message));
    if (refusal !== undefined) {
      problems.push({ messageId, stage: 'refused', message: refusal });
      untouched.push(message);
      return;
    }
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: redrive.to,
          MessageBody: message.Body ?? '',
          MessageAttributes: redriveAttributes(message),
        }),
      );
    } catch (error: unknown) {
      problems.push({ messageId, stage: 'send', message: failure(error) });
      untouched.push(message);
      return;
    }
    try {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: redrive.from, ReceiptHandle: message.ReceiptHandle }),
      );
      moved.push(messageId);
    } catch (error: unknown) {
      // Sent already: it stays hidden until its timeout rather than being offered again at once.
      problems.push({ messageId, stage: 'delete', message: failure(error) });
    }
  };

  const settings = {
    limit: redrive.limit,
    visibilityTimeout: redrive.visibilityTimeout ?? 60,
    done: () => wanted !== undefined && found.size >= wanted.size,
  };
  try {
    await receiveDistinct(sqs, redrive.from, settings, move);
  } catch (error: unknown) {
    const unreleased = await releaseMessages(sqs, redrive.from, untouched);
    throw new DeadLetterReadError(redrive.from, error, { moved, problems, unreleased });
  }
  const unreleased = await releaseMessages(sqs, redrive.from, untouched);
  const notFound = wanted ? [...wanted].filter((id) => !found.has(id)) : [];
  return { moved, problems, notFound, unreleased };
}
