import {
  buildMessage,
  type DecisionMessageType,
  type Disposition,
  type IncidentCategory,
  type IncidentRecord,
  type MessageOf,
  type OperatorDecision,
  type OperatorIdentity,
  type OperatorRole,
  operatorApi,
  roleAllows,
} from '@ir/contracts';
import type { IncidentAggregate } from '../model.js';
import { approvalProblem } from '../state/approvals.js';
import { stalledRollbacks } from '../state/rollback-steps.js';
import { actorLabel, type Principal } from './auth.js';
import type { ApiDeps } from './routes.js';

/** What an operator decides about an incident. */
export type DecisionKind = 'approve' | 'reject' | 'rollback' | 'resolve';

/** One decision, from whichever surface took it (the HTTP API, Slack). */
export interface DecisionRequestInput {
  readonly kind: DecisionKind;
  readonly incidentId: string;
  /** The held step (approve and reject only). */
  readonly stepId?: string;
  readonly reason?: string;
  /** Whether the incident was real and what kind it was: required to resolve. */
  readonly disposition?: Disposition;
  readonly category?: IncidentCategory;
}

/** Accepted onto the coordinator queue (202), or refused with why (nothing was published). */
export type DecisionOutcome =
  | { status: 202; messageId: string; type: DecisionMessageType; actor: OperatorIdentity; by: string }
  | { status: 403 | 404 | 409; error: 'forbidden' | 'not-found' | 'conflict'; message: string };

/** The least role each kind needs: the role its route declares in the contract. */
export const decisionRoles: Readonly<Record<DecisionKind, OperatorRole>> = {
  approve: operatorApi.approveStep.role,
  reject: operatorApi.rejectStep.role,
  rollback: operatorApi.rollback.role,
  resolve: operatorApi.resolve.role,
};

const refuse = (status: 403 | 404 | 409, message: string): DecisionOutcome => ({
  status,
  error: status === 403 ? 'forbidden' : status === 404 ? 'not-found' : 'conflict',
  message,
});

/** Why the decision no longer applies to the incident as it stands (409), or undefined. */
function conflictOf(kind: DecisionKind, aggregate: IncidentAggregate, stepId: string | undefined) {
  if (kind === 'approve' || kind === 'reject') {
    const step = aggregate.steps.find((s) => s.stepId === stepId);
    return step?.status === 'awaiting-approval'
      ? undefined
      : `step ${stepId} is ${step?.status}, not awaiting approval`;
  }
  if (kind === 'rollback') {
    // A second request retries a rollback that stalled on a failed or rejected step.
    if (!aggregate.incident.rollbackRequestedAt) return undefined;
    return aggregate.incident.status !== 'resolved' && stalledRollbacks(aggregate.steps).length > 0
      ? undefined
      : 'a rollback was already requested, and none of its steps failed or was rejected: only a stalled rollback is retried';
  }
  return aggregate.incident.status === 'resolved' ? 'the incident is already resolved' : undefined;
}

/**
 * Checks and publishes operator decisions, for every surface that takes them (the operator API's
 * routes, Slack's interactivity endpoint): the principal's role must allow the kind (the routes
 * checked it already, Slack did not), the incident and step must exist (404) and the decision still
 * apply (409), and an approval must come from someone other than the step's requester and its first
 * approver (403, the two-person rule). Then the decision goes onto the coordinator queue with the
 * verified identity as its actor. Why the two-person check here too: a refused approval should be
 * answered now, not found later on the timeline; the queue handler checks again and is the authority.
 */
export function createDecisionSubmitter(
  deps: ApiDeps,
): (principal: Principal, input: DecisionRequestInput) => Promise<DecisionOutcome> {
  const now = { now: deps.clock, ...(deps.newId ? { newId: deps.newId } : {}) };
  const envelope = (incident: IncidentRecord) => ({
    incidentId: incident.incidentId,
    correlationId: incident.correlationId,
    causationId: null,
    producer: deps.producer,
    dryRun: incident.dryRun,
  });
  const build = (
    kind: DecisionKind,
    incident: IncidentRecord,
    stepId: string,
    body: OperatorDecision,
    input: DecisionRequestInput,
  ): MessageOf<DecisionMessageType> => {
    switch (kind) {
      case 'approve':
        return buildMessage('approval.granted', { ...envelope(incident), payload: { ...body, stepId } }, now);
      case 'reject':
        return buildMessage(
          'approval.rejected',
          { ...envelope(incident), payload: { ...body, stepId } },
          now,
        );
      case 'rollback':
        return buildMessage('rollback.requested', { ...envelope(incident), payload: body }, now);
      case 'resolve': {
        // The route's schema requires both (400 without them); a surface that forgot them is a bug.
        const { disposition, category } = input;
        if (!disposition || !category) throw new Error('a resolve needs a disposition and a category');
        return buildMessage(
          'incident.resolve-requested',
          { ...envelope(incident), payload: { ...body, disposition, category } },
          now,
        );
      }
    }
  };

  return async (principal, input) => {
    const needed = decisionRoles[input.kind];
    if (!principal.role || !roleAllows(principal.role, needed)) {
      return refuse(
        403,
        `this needs the ${needed} role; ${principal.identity.subject} has ${principal.role ?? 'no role'}`,
      );
    }
    const { aggregate } = await deps.repository.load(input.incidentId);
    if (!aggregate) return refuse(404, 'no such incident');
    const stepId = input.kind === 'approve' || input.kind === 'reject' ? input.stepId : undefined;
    const step = stepId === undefined ? undefined : aggregate.steps.find((s) => s.stepId === stepId);
    if (stepId !== undefined && !step) return refuse(404, `incident has no step ${stepId}`);
    if ((input.kind === 'approve' || input.kind === 'reject') && stepId === undefined) {
      return refuse(404, 'a step is required to approve or reject');
    }
    const problem = conflictOf(input.kind, aggregate, stepId);
    if (problem) return refuse(409, problem);
    if (input.kind === 'approve' && step) {
      const refused = approvalProblem(step, principal.identity);
      if (refused) return refuse(403, refused);
    }
    const body: OperatorDecision = {
      by: actorLabel(principal.identity),
      actor: principal.identity,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    const message = build(input.kind, aggregate.incident, stepId ?? '', body, input);
    await deps.publisher.publish('coordinator', [message]);
    deps.logger.info(
      {
        incidentId: message.incidentId,
        correlationId: message.correlationId,
        type: message.type,
        actor: principal.identity,
        role: principal.role,
        stepId,
      },
      'operator_decision_accepted',
    );
    return {
      status: 202,
      messageId: message.id,
      type: message.type,
      actor: principal.identity,
      by: body.by,
    };
  };
}
