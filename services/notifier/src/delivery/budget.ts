import { ANSWER_RESERVE_MS, workEndsAt } from '@ir/runtime';

/**
 * Time kept back from a notification's budget to publish the answer: the step worker's own reserve
 * (it aborts the handler `ANSWER_RESERVE_MS` before the deadline) plus 1 s, so the channels give up
 * before that abort and the answer names each channel's reason rather than a bare deadline.
 */
export const PUBLISH_RESERVE_MS = ANSWER_RESERVE_MS + 1_000;

/**
 * When delivery must stop (epoch ms): the coordinator's deadline (the command's `sentAt` plus its
 * `timeoutSeconds`) or the runtime's handler time-out counted from `started`, whichever comes first,
 * less {@link PUBLISH_RESERVE_MS}. Counted from `sentAt`, not from the start of the handler, so a
 * command that waited in the queue gets only what is left of its budget.
 */
export function deliveryDeadline(
  stepDeadline: Date,
  started: Date,
  handlerTimeoutMs: number,
  reserveMs: number = PUBLISH_RESERVE_MS,
): number {
  return workEndsAt(stepDeadline, started.getTime(), handlerTimeoutMs, reserveMs);
}
