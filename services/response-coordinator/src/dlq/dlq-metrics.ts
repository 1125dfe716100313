import { SystemQueueName } from '@ir/contracts';
import { Counter, type Registry } from 'prom-client';

/** What became of a message a redrive took up: the bounded `outcome` label. */
export const RedriveOutcome = {
  moved: 'moved',
  refused: 'refused',
  sendFailed: 'send_failed',
  deleteFailed: 'delete_failed',
} as const;
/** @see RedriveOutcome */
export type RedriveOutcome = (typeof RedriveOutcome)[keyof typeof RedriveOutcome];

/** Metrics of the DLQ routes; labels are bounded (the five queues, four outcomes). */
export interface DeadLetterMetrics {
  readonly redriven: Counter<'queue' | 'outcome'>;
}

/**
 * Registers the DLQ routes' metrics on the runtime's registry. Every series starts at 0 (the label
 * sets are known), so `increase()` sees the first redrive of a queue.
 */
export function createDeadLetterMetrics(registry: Registry): DeadLetterMetrics {
  const redriven = new Counter({
    name: 'ir_coordinator_dead_letters_redriven_total',
    help: 'Dead-lettered messages an admin redrove through POST /dlq/:queue/redrive, by queue and outcome (moved, refused, send_failed, delete_failed).',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  for (const queue of SystemQueueName.options) {
    for (const outcome of Object.values(RedriveOutcome)) redriven.inc({ queue, outcome }, 0);
  }
  return { redriven };
}
