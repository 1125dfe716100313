import type { MessageOf } from '@ir/contracts';
import type { DecisionContext, Draft } from './draft.js';
import { approvalGranted, approvalRejected } from './approvals.js';
import { resolveRequested, rollbackRequested } from './operator.js';
import type { Planner } from './plan-steps.js';
import { stepHeld } from './held.js';
import { stepFailed, stepSucceeded } from './results.js';
import { ticketClosed } from './ticket-closed.js';
import { incidentUpdated } from './replan-on-update.js';
import type { IncidentAggregate } from '../model.js';

/** Messages about an incident that already exists. */
export type IncidentEvent = MessageOf<
  | 'incident.updated'
  | 'step.succeeded'
  | 'step.failed'
  | 'step.held'
  | 'approval.granted'
  | 'approval.rejected'
  | 'rollback.requested'
  | 'incident.resolve-requested'
  | 'incident.ticket-closed'
>;

/** The pure decision for one event on an existing incident. */
export function decide(
  aggregate: IncidentAggregate,
  event: IncidentEvent,
  planner: Planner,
  context: DecisionContext,
): Draft {
  switch (event.type) {
    case 'incident.updated':
      return incidentUpdated(aggregate, event, planner, context);
    case 'step.succeeded':
      return stepSucceeded(aggregate, event, context);
    case 'step.failed':
      return stepFailed(aggregate, event, context);
    case 'step.held':
      return stepHeld(aggregate, event, context);
    case 'approval.granted':
      return approvalGranted(aggregate, event, context);
    case 'approval.rejected':
      return approvalRejected(aggregate, event, context);
    case 'rollback.requested':
      return rollbackRequested(aggregate, event, context);
    case 'incident.resolve-requested':
      return resolveRequested(aggregate, event, context);
    case 'incident.ticket-closed':
      return ticketClosed(aggregate, event, context);
  }
}
