import { z } from 'zod';

/**
 * The system's five work queues by logical name, each with its dead-letter queue
 * (`<prefix>-<queue>-dlq`). Only these: the DLQ routes cannot be pointed at a queue that belongs to
 * something else.
 */
export const SystemQueueName = z.enum(['findings', 'coordinator', 'isolator', 'forensics', 'notifier']);
/** @see SystemQueueName */
export type SystemQueueName = z.infer<typeof SystemQueueName>;

/** The `:queue` of `/dlq/:queue/…`: a work queue's logical name; its DLQ is the one meant. */
export const DeadLetterParams = z.object({ queue: SystemQueueName });
/** @see DeadLetterParams */
export type DeadLetterParams = z.infer<typeof DeadLetterParams>;

/** One DLQ's depth, as SQS approximates it. */
export const DeadLetterQueueSummary = z.object({
  queue: SystemQueueName,
  /** The DLQ's physical name (from the work queue's redrive policy). */
  dlq: z.string(),
  /** `ApproximateNumberOfMessages`: waiting to be looked at. */
  messages: z.number().int().min(0),
  /** `ApproximateNumberOfMessagesNotVisible`: received by someone (a listing, a redrive) right now. */
  inFlight: z.number().int().min(0),
});
/** @see DeadLetterQueueSummary */
export type DeadLetterQueueSummary = z.infer<typeof DeadLetterQueueSummary>;

/** `GET /dlq`: every DLQ of the system, in pipeline order. */
export const DeadLetterOverview = z.object({ queues: z.array(DeadLetterQueueSummary) });
/** @see DeadLetterOverview */
export type DeadLetterOverview = z.infer<typeof DeadLetterOverview>;

/** `GET /dlq/:queue/messages?limit`: at most `limit` messages. */
export const DeadLetterListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
/** @see DeadLetterListQuery */
export type DeadLetterListQuery = z.infer<typeof DeadLetterListQuery>;

/**
 * A dead-lettered message as an operator reads it: the runtime's `ir-dlq-*` attributes (why it was
 * moved), the envelope's `type` and `incidentId` attributes when it has them, and the body as it is.
 */
export const DeadLetterMessage = z.object({
  messageId: z.string(),
  /** `ir-dlq-reason`, or `retries-exhausted` when SQS's redrive policy moved it after its retries. */
  reason: z.string(),
  error: z.string().nullable(),
  detail: z.string().nullable(),
  sourceQueue: z.string().nullable(),
  failedAt: z.string().nullable(),
  receiveCount: z.string().nullable(),
  type: z.string().nullable(),
  incidentId: z.string().nullable(),
  body: z.string(),
  /**
   * False for a message the redrive refuses: a decision whose signature failed
   * (`decision-signature-*`) is evidence of a forgery, not work to retry.
   */
  redrivable: z.boolean(),
});
/** @see DeadLetterMessage */
export type DeadLetterMessage = z.infer<typeof DeadLetterMessage>;

/** `GET /dlq/:queue/messages`: listing receives and releases at once, so it leaves the DLQ as found. */
export const DeadLetterList = z.object({
  queue: SystemQueueName,
  dlq: z.string(),
  messages: z.array(DeadLetterMessage),
  /** True when the DLQ held at least `limit` messages: there may be more. */
  truncated: z.boolean(),
});
/** @see DeadLetterList */
export type DeadLetterList = z.infer<typeof DeadLetterList>;

/**
 * `POST /dlq/:queue/redrive`: move the messages named (or, without `messageIds`, the first `limit`)
 * back to their work queue. `reason` is logged with the operator's identity.
 */
export const RedriveRequest = z.object({
  messageIds: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  reason: z.string().max(2000).optional(),
});
/** @see RedriveRequest */
export type RedriveRequest = z.infer<typeof RedriveRequest>;

/** A message the redrive did not move, and why. */
export const RedriveProblem = z.object({
  messageId: z.string(),
  /** `refused`: not redrivable (see {@link DeadLetterMessage}); `send`/`delete`: the SQS call failed. */
  stage: z.enum(['refused', 'send', 'delete']),
  message: z.string(),
});
/** @see RedriveProblem */
export type RedriveProblem = z.infer<typeof RedriveProblem>;

/**
 * The answer to a redrive. Each message is sent first and deleted from the DLQ only after the send
 * succeeded: a failure can leave a message in both queues (`stage: delete`), never in neither.
 * `notFound` lists requested ids the DLQ did not hand out (already moved, or hidden by another reader).
 */
export const RedriveResult = z.object({
  queue: SystemQueueName,
  from: z.string(),
  to: z.string(),
  moved: z.array(z.string()),
  problems: z.array(RedriveProblem),
  notFound: z.array(z.string()),
});
/** @see RedriveResult */
export type RedriveResult = z.infer<typeof RedriveResult>;
