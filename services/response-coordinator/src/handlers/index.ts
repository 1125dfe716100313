import { coordinatorMessageTypes } from '@ir/contracts';
import type { AcceptedMessage, AccountPolicy, HandlerContext, Logger, ParsedMessage } from '@ir/runtime';
import { UnknownIncidentError } from '../errors.js';
import { decide, type IncidentEvent } from '../state/decide.js';
import type { DecisionContext } from '../state/draft.js';
import { openIncident } from '../state/open.js';
import type { Planner } from '../state/plan-steps.js';
import { type ApplyDeps, applyToIncident } from './apply.js';
import { releaseResources } from './release-resources.js';
import type { IncidentAggregate } from '../model.js';

export { coordinatorMessageTypes };

/** A message accepted on the coordinator queue. */
export type CoordinatorMessage = AcceptedMessage<(typeof coordinatorMessageTypes)[number]>;

/** What the handlers need. */
export interface HandlerDeps extends ApplyDeps {
  readonly planner: Planner;
  /** Which accounts may be acted in; without it every account is (tests of the state machine). */
  readonly accounts?: Pick<AccountPolicy, 'check'>;
}

/** The coordinator's message handler. */
export interface Handlers {
  handle(message: ParsedMessage<CoordinatorMessage>, context: HandlerContext): Promise<void>;
}

/**
 * Builds the handler of the coordinator queue. Every message becomes one decision on one incident,
 * committed conditionally on the incident's version; duplicates and races decide nothing new.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    async handle({ value: message }, { logger }) {
      // Decided before the (pure) decision: the policy may read AWS Organizations. An error reading it
      // is retried through the queue, never taken as "allowed" (TRAPS 17).
      const accountDecision =
        message.type === 'incident.opened' && deps.accounts
          ? await deps.accounts.check(message.payload.finding.accountId)
          : undefined;
      const refusal = accountDecision && !accountDecision.allowed ? accountDecision.reason : undefined;
      if (refusal) logger.warn({ reason: refusal }, 'account_refused');
      const decideFor = (aggregate: IncidentAggregate | undefined, context: DecisionContext) => {
        if (message.type === 'incident.opened') {
          return aggregate ? undefined : openIncident(message, deps.planner, context, refusal);
        }
        if (!aggregate) throw new UnknownIncidentError(message.incidentId, message.type);
        return decide(aggregate, message as IncidentEvent, deps.planner, context);
      };
      const applied = await applyToIncident(
        deps,
        {
          incidentId: message.incidentId,
          causationId: message.id,
          eventKey: () => message.id,
          withTimeline: message.type === 'incident.resolve-requested',
          decide: decideFor,
        },
        logger,
      );
      if (!applied.transition) logger.debug('message_changed_nothing');
      if (message.type === 'incident.resolve-requested' && applied.incident?.status === 'resolved') {
        await releaseResources(deps.repository, applied.incident, logger as Logger);
      }
    },
  };
}
