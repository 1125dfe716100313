import {
  type DecisionBy,
  type MessageOf,
  type OperatorIdentity,
  sameOperator,
  type StepApproval,
  type StepRecord,
} from '@ir/contracts';
import type { DecisionContext, Draft } from './draft.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { isAdvisoryStep } from './finding-sync.js';
import { raiseNotification } from './notifications.js';
import { draftForStep } from './require-step.js';
import { rollbackBatch } from './rollback-steps.js';
import type { IncidentAggregate } from '../model.js';

const why = (reason: string | undefined) => (reason ? `: ${reason}` : '');

/** The person who asked for a step: the rollback's requester, else the step's first approval. */
export function requesterOf(step: StepRecord): DecisionBy | undefined {
  return step.requestedBy ?? (step.approvalsRequired > 1 ? step.approvals[0] : undefined);
}

/** True when the two-person rule applies to the step: two approvals, or a requester to tell apart. */
export function needsAnotherPerson(step: StepRecord): boolean {
  return step.approvalsRequired > 1 || step.requestedBy !== undefined;
}

/**
 * Why `actor` may not approve `step` under the two-person rule (TRAPS 23), or undefined when the
 * approval counts. The same person is the same issuer and subject; a decision without a verified
 * identity (a message older than identities) never counts where the rule applies. The API asks this
 * before it publishes a decision; the state machine asks again and is the authority.
 */
export function approvalProblem(step: StepRecord, actor: OperatorIdentity | undefined): string | undefined {
  if (!needsAnotherPerson(step)) return undefined;
  if (actor === undefined) {
    return 'the approval names no verified identity, so it cannot count towards the two-person rule';
  }
  const who = `${actor.subject} (${actor.issuer})`;
  if (sameOperator(step.requestedBy?.actor, actor)) {
    return `${who} requested this and may not approve it: an approver other than the requester must (two-person rule)`;
  }
  if (step.approvals.some((approval) => sameOperator(approval.actor, actor))) {
    return `${who} already approved this step: a second, different approver must (two-person rule)`;
  }
  return undefined;
}

/** The steps one decision about `step` covers: a rollback's whole batch, else the step alone. */
function decidedTogether(draft: Draft, step: StepRecord): StepRecord[] {
  return step.origin === 'rollback' ? rollbackBatch(draft.steps) : [step];
}

/**
 * An operator approved a held step. Under the two-person rule the approver must differ from the
 * requester and from the first approver, else the approval is refused (recorded, nothing changes);
 * a first of two approvals is recorded and the step keeps waiting. Once approved the step runs and
 * does not count as an automatic containment. Approving one step of a rollback approves its batch.
 */
export function approvalGranted(
  aggregate: IncidentAggregate,
  message: MessageOf<'approval.granted'>,
  context: DecisionContext,
): Draft {
  const { stepId, by, reason, actor } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  const requestedBy = requesterOf(step);
  const problem = approvalProblem(step, actor);
  if (problem !== undefined) {
    draft.record('approval-refused', { by, actor, reason: problem, requestedBy }, stepId);
    return draft;
  }
  const approval: StepApproval | undefined = actor ? { by, actor, at: draft.nowIso } : undefined;
  const approvals = approval ? [...step.approvals, approval] : step.approvals;
  if (approvals.length < step.approvalsRequired) {
    draft.updateStep(stepId, { approvals });
    draft.record(
      'step-approval-recorded',
      { by, actor, reason, approvals: approvals.length, approvalsRequired: step.approvalsRequired },
      stepId,
    );
    raiseNotification(
      draft,
      `second-approval-needed:${stepId}`,
      'approval-needed',
      `Step ${stepId} (${step.action}) was approved by ${by}; a second, different approver is needed (two-person rule)`,
      {
        details: {
          stepId,
          action: step.action,
          holdReasons: step.holdReasons,
          approvalsRequired: step.approvalsRequired,
          approvals,
        },
      },
    );
    return dispatchAndSettle(draft);
  }
  const batch = decidedTogether(draft, step);
  for (const each of batch) {
    const eachApprovals = each.stepId === stepId ? approvals : approval ? [...each.approvals, approval] : [];
    draft.updateStep(each.stepId, {
      status: 'pending',
      approvedBy: by,
      ...(actor ? { approvedByActor: actor } : {}),
      approvals: eachApprovals,
      ...(reason ? { decisionReason: reason } : {}),
    });
    draft.record(
      'step-approved',
      {
        by,
        actor,
        reason,
        holdReasons: each.holdReasons,
        requestedBy: requesterOf(each) ?? requestedBy,
        approvals: eachApprovals,
      },
      each.stepId,
    );
  }
  if (step.origin === 'rollback') rollbackApproved(draft, requestedBy?.by ?? 'unknown', by);
  return dispatchAndSettle(draft);
}

/**
 * A rollback's batch was approved: the playbook steps the request stopped are skipped now (they
 * waited, undispatched, while the request waited for its second person).
 */
function rollbackApproved(draft: Draft, requester: string, by: string): void {
  const reason = `rollback requested by ${requester}, approved by ${by}`;
  for (const step of draft.steps) {
    if (step.origin !== 'playbook') continue;
    if (step.status === 'pending' || step.status === 'awaiting-approval') {
      draft.updateStep(step.stepId, { status: 'skipped', skipReason: reason });
      draft.record('step-skipped', { reason }, step.stepId);
    }
  }
}

/**
 * An operator rejected a held step: it is skipped, and steps after it go on. Any approver may reject,
 * the requester too: refusing is the safe direction. Rejecting one step of a rollback rejects its
 * batch, and the incident goes back to where it was (see {@link rollbackRejected}).
 */
export function approvalRejected(
  aggregate: IncidentAggregate,
  message: MessageOf<'approval.rejected'>,
  context: DecisionContext,
): Draft {
  const { stepId, by, reason, actor } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  for (const each of decidedTogether(draft, step)) {
    draft.updateStep(each.stepId, {
      status: 'skipped',
      rejectedBy: by,
      ...(actor ? { rejectedByActor: actor } : {}),
      skipReason: `rejected by ${by}${why(reason)}`,
      ...(reason ? { decisionReason: reason } : {}),
    });
    draft.record('step-rejected', { by, actor, reason, requestedBy: requesterOf(each) }, each.stepId);
    draft.observations.stepOutcomes.push({ action: each.action, outcome: 'rejected' });
  }
  if (step.origin === 'rollback') rollbackRejected(draft, { by, actor, reason });
  return dispatchAndSettle(draft);
}

/**
 * A rollback's batch was rejected. When none of its rollback steps ever ran, the request is
 * withdrawn: the incident forgets it and goes back to `open` (or `needs-attention` if a step failed),
 * and the playbook steps that waited behind it go on. A rejected retry leaves the incident
 * `needs-attention`: a rollback stalled, and a person must retry it or resolve.
 */
function rollbackRejected(
  draft: Draft,
  decision: { by: string; actor: OperatorIdentity | undefined; reason: string | undefined },
): void {
  const ran = draft.steps.some((step) => step.origin === 'rollback' && step.dispatchedAt !== undefined);
  const requestedBy = draft.incident.rollbackRequestedBy;
  if (ran) {
    draft.record('rollback-rejected', { ...decision, requestedBy, withdrawn: false });
    draft.setStatus('needs-attention');
    return;
  }
  draft.record('rollback-rejected', { ...decision, requestedBy, withdrawn: true });
  draft.updateIncident({
    rollbackRequestedAt: undefined,
    rollbackRequestedBy: undefined,
    rollbackRequestedByActor: undefined,
  });
  const troubled = draft.steps.some(
    (step) =>
      step.origin !== 'rollback' &&
      !isAdvisoryStep(step) &&
      (step.status === 'failed' || step.status === 'timed-out'),
  );
  draft.setStatus(troubled ? 'needs-attention' : 'open');
}
