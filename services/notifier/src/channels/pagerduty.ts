import type { NotifyStage, SeverityBand } from '@ir/contracts';
import { postJson } from '../delivery/http.js';
import { DeliveryError } from '../errors.js';
import { describeResource, type Notification, titleOf, truncate } from '../format/notification.js';
import type { Channel } from './channel.js';

/** Events API v2 actions. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/**
 * Which event each stage sends. Stages that need a person trigger (re-triggering the same
 * `dedup_key` updates the open alert, it does not page twice); progress acknowledges (stops
 * escalation); `resolved` resolves. Routing decides whether PagerDuty sees a stage at all, so a team
 * that wants no automatic acknowledgement routes only the stages it wants to PagerDuty.
 */
export const pagerDutyAction: Readonly<Record<NotifyStage, PagerDutyAction>> = {
  opened: 'trigger',
  'approval-needed': 'trigger',
  'step-failed': 'trigger',
  contained: 'acknowledge',
  'evidence-sealed': 'acknowledge',
  investigated: 'acknowledge',
  'rolled-back': 'acknowledge',
  resolved: 'resolve',
  // After resolve: resolving again changes nothing and never re-opens the alert.
  reported: 'resolve',
};

const severity: Readonly<Record<SeverityBand, string>> = {
  CRITICAL: 'critical',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'info',
};

/** The Events API v2 body. `dedup_key` is the incident id, so every stage lands on one alert. */
export function pagerDutyEvent(
  notification: Notification,
  routingKey: string,
  source: string,
): Record<string, unknown> {
  const action = pagerDutyAction[notification.stage];
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: action,
    dedup_key: notification.incidentId,
  };
  if (action === 'trigger') {
    event.payload = {
      summary: truncate(titleOf(notification), 1024),
      source,
      severity: severity[notification.severityBand],
      timestamp: notification.sentAt,
      component: describeResource(notification.resource),
      group: notification.target.accountId,
      class: notification.stage,
      custom_details: {
        incidentId: notification.incidentId,
        correlationId: notification.correlationId,
        region: notification.target.region,
        actionsTaken: notification.actionsTaken,
        pendingApprovals: notification.pendingApprovals,
        ...(notification.ticketKey ? { ticketKey: notification.ticketKey } : {}),
      },
    };
  }
  return event;
}

/** Settings of {@link pagerDutyChannel}. */
export interface PagerDutySettings {
  /** The integration's routing key: a secret. */
  readonly routingKey: string;
  readonly eventsUrl: string;
  readonly source: string;
}

/** PagerDuty Events API v2: 202 `{status:"success"}`; 400 is a bad event (permanent); 429 and 5xx retry. */
export function pagerDutyChannel(settings: PagerDutySettings): Channel {
  return {
    name: 'pagerduty',
    async send(notification, signal) {
      const event = pagerDutyEvent(notification, settings.routingKey, settings.source);
      const answer = await postJson('pagerduty', settings.eventsUrl, event, signal);
      let status: unknown;
      try {
        status = (JSON.parse(answer.text) as { status?: unknown }).status;
      } catch {
        status = undefined;
      }
      if (status !== 'success') {
        throw new DeliveryError('pagerduty', `pagerduty: HTTP ${answer.status} without status "success"`, {
          retryable: true,
          status: answer.status,
        });
      }
      return { detail: { status: answer.status, eventAction: pagerDutyAction[notification.stage] } };
    },
  };
}
