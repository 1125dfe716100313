import type { MessageOf } from '@ir/contracts';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { type DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import type { IncidentAggregate } from '../model.js';

/**
 * The incident's Jira ticket was closed without a disposition or a category the coordinator could
 * read (see jira/webhook.ts). The incident stays open: closing a ticket is not evidence that the
 * incident was real or not, and a resolve without both would be refused. The closing is recorded on
 * the timeline, and people are asked, on the usual channels, for the disposition (resolve through
 * the API, irctl or the console, or add the missing label and close the ticket again). Nothing is
 * recorded once the incident is resolved. One notification per closing (keyed by the message id,
 * which the webhook derives from Jira's delivery id, so a redelivery notifies once).
 */
export function ticketClosed(
  aggregate: IncidentAggregate,
  message: MessageOf<'incident.ticket-closed'>,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  if (draft.incident.status === 'resolved') return draft;
  const { by, actor, ticketKey, status, resolution, missing } = message.payload;
  draft.record('ticket-closed', { by, actor, ticketKey, status, resolution, missing, source: 'jira' });
  const what = missing.join(' and ');
  raiseNotification(
    draft,
    `ticket-closed:${message.id}`,
    'approval-needed',
    `Jira ticket ${ticketKey} was closed by ${by} (${status}${resolution ? `, ${resolution}` : ''}) without a ${what}: the incident stays open until someone resolves it with a disposition and a category`,
    { details: { ticketKey, missing } },
  );
  return dispatchAndSettle(draft);
}
