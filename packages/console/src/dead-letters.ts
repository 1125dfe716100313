import type { DeadLetterMessage, RedriveResult, SystemQueueName } from '@ir/contracts';
import { ApiError } from './api.js';

/**
 * The system's work queues in pipeline order, as `SystemQueueName` lists them. A copy rather than the
 * zod enum: the console takes types only from `@ir/contracts`, so zod stays out of the bundle.
 */
export const DEAD_LETTER_QUEUES = [
  'findings',
  'coordinator',
  'isolator',
  'forensics',
  'notifier',
] as const satisfies readonly SystemQueueName[];

/** True for a work queue's logical name (the `:queue` of the DLQ routes). */
export function isQueueName(value: string): value is SystemQueueName {
  return (DEAD_LETTER_QUEUES as readonly string[]).includes(value);
}

/** Why a message cannot be selected for a redrive (the API refuses it too). */
export const NOT_REDRIVABLE =
  'Not redrivable: its decision signature failed, which is evidence of a forgery, not work to retry.';

/** The ids still selected that are still listed and redrivable (a reload drops the others). */
export function keepSelected(
  selected: ReadonlySet<string>,
  messages: readonly DeadLetterMessage[],
): Set<string> {
  const present = new Set(messages.filter((m) => m.redrivable).map((m) => m.messageId));
  return new Set([...selected].filter((id) => present.has(id)));
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The sentence the status line shows for a redrive's answer (the lists are shown beside it). */
export function redriveMessage(result: RedriveResult | ApiError | Error): string {
  if (result instanceof ApiError)
    return `Redrive refused (${result.status} ${result.error}): ${result.message}`;
  if (result instanceof Error) return `Redrive failed: ${result.message}`;
  return (
    `Redrive from ${result.from} to ${result.to}: moved ${count(result.moved.length, 'message')}, ` +
    `${count(result.problems.length, 'problem')}, ${result.notFound.length} not found.`
  );
}
