import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Outcomes of one message, a bounded label set. */
export const MessageOutcome = {
  processed: 'processed',
  retried: 'retried',
  deadLettered: 'dead_lettered',
  released: 'released',
  /** Put back for later because its account was at its per-account cap. */
  deferred: 'deferred',
} as const;
export type MessageOutcome = (typeof MessageOutcome)[keyof typeof MessageOutcome];

/** The metrics every service has; services register their own on the same registry. */
export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly messagesTotal: Counter<'queue' | 'type' | 'outcome'>;
  readonly messageDuration: Histogram<'queue' | 'type'>;
  readonly awsCallsTotal: Counter<'service' | 'operation' | 'outcome'>;
  readonly dlqTotal: Counter<'queue' | 'reason'>;
  /** Time a message waited in its queue before this service received it (from SentTimestamp). */
  readonly queueAge: Histogram<'queue'>;
  /** Messages in the consumed queue and its DLQ, read from SQS when scraped. */
  readonly queueDepth: Gauge<'queue' | 'kind'>;
  /** Failed ReceiveMessage calls; a streak of them is backed off (see `createReceiveBackoff`). */
  readonly receiveErrorsTotal: Counter<'queue'>;
  /** Finished messages whose delete failed; each is received again when its visibility ends. */
  readonly deleteErrorsTotal: Counter<'queue'>;
}

/**
 * A registry per service (never the global one, so a test can build two services in one process),
 * with default process metrics and the runtime's counters.
 */
export function createMetrics(service: string, registry: Registry = new Registry()): RuntimeMetrics {
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    messagesTotal: new Counter({
      name: 'ir_messages_total',
      help: 'Messages consumed, by queue, message type and outcome.',
      labelNames: ['queue', 'type', 'outcome'],
      registers: [registry],
    }),
    messageDuration: new Histogram({
      name: 'ir_message_duration_seconds',
      help: 'Time from receipt to acknowledgement of a message.',
      labelNames: ['queue', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    awsCallsTotal: new Counter({
      name: 'ir_aws_calls_total',
      help: 'AWS SDK calls made, by service, operation and outcome (success, error, throttled).',
      labelNames: ['service', 'operation', 'outcome'],
      registers: [registry],
    }),
    dlqTotal: new Counter({
      name: 'ir_dlq_messages_total',
      help: 'Messages sent to a dead-letter queue by this service, by source queue and reason.',
      labelNames: ['queue', 'reason'],
      registers: [registry],
    }),
    queueAge: new Histogram({
      name: 'ir_message_queue_age_seconds',
      help: 'How long a message waited in its queue before it was received (SentTimestamp to receipt).',
      labelNames: ['queue'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'ir_queue_depth',
      help: 'Messages in the consumed queue (kind visible or in_flight) and its dead-letter queue (kind dlq), read at scrape time.',
      labelNames: ['queue', 'kind'],
      registers: [registry],
    }),
    receiveErrorsTotal: new Counter({
      name: 'ir_queue_receive_errors_total',
      help: 'ReceiveMessage calls that failed (endpoint down, throttled, 5xx); the worker backs off while they last.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    deleteErrorsTotal: new Counter({
      name: 'ir_queue_delete_errors_total',
      help: 'Finished messages whose delete failed; each is received again when its visibility timeout ends and handled idempotently.',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}
