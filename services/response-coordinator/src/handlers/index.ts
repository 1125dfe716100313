import { coordinatorMessageTypes } from '@ir/contracts';
import type { AcceptedMessage, AccountPolicy, HandlerContext, Logger, ParsedMessage } from '@ir/runtime';
import { type DecisionKeyring, type DecisionMessage, isDecision } from '../decision-signing.js';
import { ForgedDecisionError, UnknownIncidentError } from '../errors.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { decide, type IncidentEvent } from '../state/decide.js';
import type { DecisionContext } from '../state/draft.js';
import { openIncident } from '../state/open.js';
import type { Planner } from '../state/plan-steps.js';
import { type ApplyDeps, applyToIncident } from './apply.js';
import { createOneAtATime } from './one-at-a-time.js';
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
  /** Verifies the operator API's signature on every decision before it is applied (TRAPS 23). */
  readonly decisions: Pick<DecisionKeyring, 'verify'>;
}

/** The coordinator's message handler. */
export interface Handlers {
  handle(message: ParsedMessage<CoordinatorMessage>, context: HandlerContext): Promise<void>;
}

/**
 * Builds the handler of the coordinator queue. Every message becomes one decision on one incident,
 * committed conditionally on the incident's version; duplicates and races decide nothing new.
 * Operator decisions are verified first: one the operator API did not sign changes nothing.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const perIncident = createOneAtATime();
  return {
    async handle({ value: message }, { logger }) {
      if (isDecision(message)) refuseUnlessSigned(message, deps, logger);
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
      const applied = await perIncident.run(message.incidentId, () =>
        applyToIncident(
          deps,
          {
            incidentId: message.incidentId,
            causationId: message.id,
            eventKey: () => message.id,
            withTimeline: message.type === 'incident.resolve-requested',
            decide: decideFor,
          },
          logger,
        ),
      );
      if (!applied.transition) logger.debug('message_changed_nothing');
      const incident = applied.aggregate?.incident;
      if (message.type === 'incident.resolve-requested' && incident?.status === 'resolved') {
        await releaseResources(deps.repository, incident, logger as Logger);
      }
    },
  };
}

/**
 * Throws {@link ForgedDecisionError} (non-retryable: to the DLQ with its reason) unless the decision
 * carries a valid signature of the operator API, after counting it and logging who it claims to be
 * from. The MAC and the keys never reach the log.
 */
function refuseUnlessSigned(
  message: DecisionMessage,
  deps: { readonly decisions: Pick<DecisionKeyring, 'verify'>; readonly metrics: CoordinatorMetrics },
  logger: HandlerContext['logger'],
): void {
  const verification = deps.decisions.verify(message);
  if (verification.valid) return;
  const { reason, claimedKeyId } = verification;
  deps.metrics.forgedDecisions.inc({ type: message.type, reason });
  logger.error(
    {
      incidentId: message.incidentId,
      correlationId: message.correlationId,
      type: message.type,
      producer: message.producer,
      claimedBy: message.payload.by,
      claimedActor: message.payload.actor,
      ...('stepId' in message.payload ? { stepId: message.payload.stepId } : {}),
      ...(claimedKeyId === undefined ? {} : { claimedKeyId }),
      reason,
    },
    'forged_decision_refused',
  );
  throw new ForgedDecisionError(message.incidentId, message.type, reason);
}
