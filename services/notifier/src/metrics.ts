import { Counter, Histogram, type Registry } from 'prom-client';

/** Outcomes of one channel for one notification (a bounded label set). */
export const NotificationOutcome = {
  delivered: 'delivered',
  failed: 'failed',
  dryRun: 'dry_run',
} as const;
/** @see NotificationOutcome */
export type NotificationOutcome = (typeof NotificationOutcome)[keyof typeof NotificationOutcome];

/** The notifier's own metrics, registered on the runtime's registry. */
export interface NotifierMetrics {
  readonly notificationsTotal: Counter<'channel' | 'outcome'>;
  readonly notificationDuration: Histogram<'channel'>;
}

/**
 * `ir_notifications_total{channel,outcome}` and `ir_notification_duration_seconds{channel}` (all
 * attempts of one channel, retries and waits included). Labels are the channel name and outcome only.
 */
export function createNotifierMetrics(registry: Registry): NotifierMetrics {
  return {
    notificationsTotal: new Counter({
      name: 'ir_notifications_total',
      help: 'Notifications per channel, by outcome (delivered, failed, dry_run).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    notificationDuration: new Histogram({
      name: 'ir_notification_duration_seconds',
      help: 'Time to deliver to one channel, retries and Retry-After waits included.',
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
  };
}
