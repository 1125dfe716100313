import { buildMessage, type MessageOf } from '@ir/contracts';
import { type HandlerContext, type Publisher, RetryableError } from '@ir/runtime';
import type { Channel, ChannelName } from '../channels/channel.js';
import { type ChannelOutcome, deliver } from '../delivery/deliver.js';
import type { RetryPolicy, RetryTools } from '../delivery/retry.js';
import { notificationOf } from '../format/notification.js';
import type { NotifierMetrics } from '../metrics.js';
import { channelsFor, type RoutingFile } from '../routing/routes.js';

/** Time kept back from the step's budget to publish the result after the last channel. */
export const PUBLISH_RESERVE_MS = 2_000;

/** What the notify handler needs; built by `createService`, injected by tests. */
export interface NotifyDeps {
  readonly channels: ReadonlyMap<ChannelName, Channel>;
  readonly routing: RoutingFile;
  readonly policy: RetryPolicy;
  readonly metrics: NotifierMetrics;
  readonly publisher: Publisher<'coordinator'>;
  readonly scrub: (text: string) => string;
  /** The runtime aborts a handler after this long; the budget never exceeds it. */
  readonly handlerTimeoutMs: number;
  readonly now: () => Date;
  readonly newId?: () => string;
  readonly tools?: RetryTools;
}

type NotifyCommand = MessageOf<'notify.incident'>;

function sentence(outcome: ChannelOutcome): string {
  const via = outcome.fallbackFor ? ` (fallback for ${outcome.fallbackFor})` : '';
  return `${outcome.channel}${via}: ${outcome.error ?? 'failed'}`;
}

/**
 * Handles `notify.incident`: routes by band and stage, delivers with retries and fallbacks within the
 * step's time budget, and answers the coordinator. `step.succeeded` when at least one channel
 * delivered (the result lists every channel's outcome, and the Jira key); `step.failed` with each
 * channel's reason when none did. Dry-run sends nothing and lists what would be sent.
 */
export function createNotifyIncidentHandler(deps: NotifyDeps) {
  const build = { now: deps.now, ...(deps.newId ? { newId: deps.newId } : {}) };

  async function answer(
    command: NotifyCommand,
    outcome:
      | { ok: true; result: Record<string, unknown>; verified?: Record<string, unknown> }
      | { ok: false; reason: string; detail: Record<string, unknown> },
  ): Promise<void> {
    const envelope = {
      incidentId: command.incidentId,
      correlationId: command.correlationId,
      causationId: command.id,
      producer: 'notifier',
      dryRun: command.dryRun,
    };
    const { stepId, action } = command.payload;
    const message = outcome.ok
      ? buildMessage(
          'step.succeeded',
          {
            ...envelope,
            payload: {
              stepId,
              action,
              result: outcome.result,
              ...(outcome.verified ? { verified: outcome.verified } : {}),
              completedAt: deps.now().toISOString(),
            },
          },
          build,
        )
      : buildMessage(
          'step.failed',
          {
            ...envelope,
            payload: {
              stepId,
              action,
              reason: outcome.reason,
              errorName: 'NotificationUndelivered',
              retryable: false,
              detail: outcome.detail,
              failedAt: deps.now().toISOString(),
            },
          },
          build,
        );
    await deps.publisher.publish('coordinator', [message]);
  }

  return async function handleNotifyIncident(command: NotifyCommand, context: HandlerContext): Promise<void> {
    const started = deps.now();
    const notification = notificationOf(command, started);
    const { stage, severityBand } = notification;
    const log = context.logger.child({ stepId: notification.stepId, stage, severityBand });
    const routed = channelsFor(deps.routing, severityBand, stage);

    if (command.dryRun) {
      for (const channel of routed) deps.metrics.notificationsTotal.inc({ channel, outcome: 'dry_run' });
      const fallbacks = Object.fromEntries(
        routed.flatMap((c) => (deps.routing.fallbacks[c] ? [[c, deps.routing.fallbacks[c]]] : [])),
      );
      log.info({ channels: routed }, 'notification_dry_run_planned');
      await answer(command, {
        ok: true,
        result: { dryRun: true, stage, severityBand, wouldNotify: routed, fallbacks },
      });
      return;
    }
    if (routed.length === 0) {
      log.warn('notification_unrouted');
      await answer(command, {
        ok: true,
        result: {
          stage,
          severityBand,
          delivered: [],
          failed: [],
          channels: [],
          note: `the routing file sends ${severityBand} "${stage}" notifications nowhere`,
        },
      });
      return;
    }

    const budgetMs =
      Math.min(command.payload.timeoutSeconds * 1000, deps.handlerTimeoutMs) - PUBLISH_RESERVE_MS;
    const deadline = started.getTime() + Math.max(budgetMs, 1_000);
    const report = await deliver(notification, routed, deadline, context.signal, deps, log);
    const delivered = report.outcomes.filter((o) => o.outcome === 'delivered');
    const failed = report.outcomes.filter((o) => o.outcome === 'failed');

    if (delivered.length === 0) {
      if (context.signal.aborted) {
        // Shutdown or handler time-out cut the delivery short: let another delivery of the command try.
        throw new RetryableError(`notification for ${stage} aborted before any channel delivered`, {
          reason: 'aborted',
        });
      }
      const reason = `No channel delivered the ${severityBand} "${stage}" notification: ${failed.map(sentence).join('; ')}`;
      log.error({ channels: failed.map((o) => o.channel) }, 'notification_undelivered');
      await answer(command, {
        ok: false,
        reason,
        detail: { stage, severityBand, channels: report.outcomes },
      });
      return;
    }
    log.info(
      { delivered: delivered.map((o) => o.channel), failed: failed.map((o) => o.channel) },
      'notification_sent',
    );
    await answer(command, {
      ok: true,
      result: {
        stage,
        severityBand,
        delivered: delivered.map((o) => o.channel),
        failed: failed.map((o) => o.channel),
        channels: report.outcomes,
        ...(report.ticketKey ? { ticketKey: report.ticketKey } : {}),
      },
      verified: Object.fromEntries(delivered.map((o) => [o.channel, o.detail ?? {}])),
    });
  };
}
