import { z } from 'zod';
import { OperatorDecision } from './operator.js';

/** What a closed ticket did not say, so the incident could not be resolved from it. */
export const TicketClosedMissing = z.enum(['disposition', 'category']);
/** @see TicketClosedMissing */
export type TicketClosedMissing = z.infer<typeof TicketClosedMissing>;

/**
 * The incident's Jira ticket was closed (its status reached the `done` category) but the ticket did
 * not say whether the incident was real or what kind it was, so the coordinator does not resolve it:
 * it records the closing on the timeline and asks people for the disposition. `by` and `actor` are
 * the Jira user who closed it (issuer: the Jira site; subject: the Atlassian account id). Signed
 * like an operator decision, by the coordinator's webhook endpoint after it verified Jira's shared
 * secret, so nothing else on the queue can forge one.
 */
export const IncidentTicketClosedPayload = OperatorDecision.extend({
  /** The issue key, e.g. `SEC-42`. */
  ticketKey: z.string().min(1).max(255),
  /** The status the issue was closed into, as Jira names it. */
  status: z.string().min(1).max(255),
  /** The resolution name, when it has one. */
  resolution: z.string().min(1).max(255).optional(),
  missing: z.array(TicketClosedMissing).min(1),
});
/** @see IncidentTicketClosedPayload */
export type IncidentTicketClosedPayload = z.infer<typeof IncidentTicketClosedPayload>;
