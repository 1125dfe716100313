import { failed, RetryableError, type StepHandler, succeeded } from '@ir/runtime';
import { type ChannelOutcome, type DeliveryDeps, deliver } from '../delivery/deliver.js';
import { deliveryDeadline } from '../delivery/budget.js';
import { notificationOf } from '../format/notification.js';
import { channelsFor } from '../routing/routes.js';

/** What the notify action needs besides its context; built by `createService`, injected by tests. */
export interface NotifyDeps extends DeliveryDeps {
  /** The runtime aborts a handler after this long (IR_HANDLER_TIMEOUT_SECONDS); the budget never exceeds it. */
  readonly handlerTimeoutMs: number;
}

/** The `errorName` of the `step.failed` answered when no channel delivered. */
export const NOTIFICATION_UNDELIVERED = 'NotificationUndelivered';

function sentence(outcome: ChannelOutcome): string {
  const via = outcome.fallbackFor ? ` (fallback for ${outcome.fallbackFor})` : '';
  return `${outcome.channel}${via}: ${outcome.error ?? 'failed'}`;
}

/**
 * The `notify.incident` action: routes by band and stage, delivers with retries and fallbacks until
 * the step's deadline (less the publish reserve, and never past the handler time-out), and reports
 * `succeeded` when at least one channel delivered (the result lists every channel's outcome, and the
 * Jira key) or `failed` (`NotificationUndelivered`) with each channel's reason when none did. Dry-run
 * sends nothing and lists what would be sent. The step worker turns the outcome into the answer.
 */
export function createNotifyIncidentHandler(deps: NotifyDeps): StepHandler<'notify.incident'> {
  return async function notifyIncident(_params, context) {
    const started = context.now();
    const notification = notificationOf(context.command, started);
    const { stage, severityBand } = notification;
    const log = context.logger.child({ stage, severityBand });
    const routed = channelsFor(deps.routing, severityBand, stage);

    if (context.dryRun) {
      for (const channel of routed) deps.metrics.notificationsTotal.inc({ channel, outcome: 'dry_run' });
      const fallbacks = Object.fromEntries(
        routed.flatMap((c) => (deps.routing.fallbacks[c] ? [[c, deps.routing.fallbacks[c]]] : [])),
      );
      log.info({ channels: routed }, 'notification_dry_run_planned');
      return succeeded({ dryRun: true, stage, severityBand, wouldNotify: routed, fallbacks });
    }
    if (routed.length === 0) {
      log.warn('notification_unrouted');
      return succeeded({
        stage,
        severityBand,
        delivered: [],
        failed: [],
        channels: [],
        note: `the routing file sends ${severityBand} "${stage}" notifications nowhere`,
      });
    }

    const deadline = deliveryDeadline(context.deadline, started, deps.handlerTimeoutMs);
    const report = await deliver(notification, routed, deadline, context.signal, deps, log);
    const delivered = report.outcomes.filter((o) => o.outcome === 'delivered');
    const undelivered = report.outcomes.filter((o) => o.outcome === 'failed');

    if (delivered.length === 0) {
      if (context.signal.aborted) {
        // Shutdown or handler time-out cut the delivery short: let another delivery of the command try.
        throw new RetryableError(`notification for ${stage} aborted before any channel delivered`, {
          reason: 'aborted',
        });
      }
      const reason = `No channel delivered the ${severityBand} "${stage}" notification: ${undelivered.map(sentence).join('; ')}`;
      log.error({ channels: undelivered.map((o) => o.channel) }, 'notification_undelivered');
      return failed(reason, {
        errorName: NOTIFICATION_UNDELIVERED,
        detail: { stage, severityBand, channels: report.outcomes },
      });
    }
    log.info(
      { delivered: delivered.map((o) => o.channel), failed: undelivered.map((o) => o.channel) },
      'notification_sent',
    );
    return succeeded(
      {
        stage,
        severityBand,
        delivered: delivered.map((o) => o.channel),
        failed: undelivered.map((o) => o.channel),
        channels: report.outcomes,
        ...(report.ticketKey ? { ticketKey: report.ticketKey } : {}),
      },
      { verified: Object.fromEntries(delivered.map((o) => [o.channel, o.detail ?? {}])) },
    );
  };
}
