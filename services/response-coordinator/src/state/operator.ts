import type { MessageOf } from '@ir/contracts';
import { addReportStep } from '../report/report-step.js';
import { addCleanRoomTeardowns } from './clean-room.js';
import { type DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { draftForStep } from './require-step.js';
import { addRollbackStep, containmentsNewestFirst, stalledRollbacks } from './rollback-steps.js';
import type { IncidentAggregate } from '../model.js';

const why = (reason: string | undefined) => (reason ? `: ${reason}` : '');

/** Skips every step that has not started, so nothing more goes out after a rollback or resolve. */
function skipUnstarted(draft: Draft, reason: string): void {
  for (const step of draft.steps) {
    if (step.origin === 'coordinator') continue;
    if (step.status === 'pending' || step.status === 'awaiting-approval') {
      draft.updateStep(step.stepId, { status: 'skipped', skipReason: reason });
      draft.record('step-skipped', { reason }, step.stepId);
    }
  }
}

/** An operator approved a held step: it runs now, and does not count as an automatic containment. */
export function approvalGranted(
  aggregate: IncidentAggregate,
  message: MessageOf<'approval.granted'>,
  context: DecisionContext,
): Draft {
  const { stepId, by, reason, actor } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  draft.updateStep(stepId, {
    status: 'pending',
    approvedBy: by,
    ...(reason ? { decisionReason: reason } : {}),
  });
  draft.record('step-approved', { by, actor, reason, holdReasons: step.holdReasons }, stepId);
  return dispatchAndSettle(draft);
}

/** An operator rejected a held step: it is skipped, and steps after it go on. */
export function approvalRejected(
  aggregate: IncidentAggregate,
  message: MessageOf<'approval.rejected'>,
  context: DecisionContext,
): Draft {
  const { stepId, by, reason, actor } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  draft.updateStep(stepId, {
    status: 'skipped',
    rejectedBy: by,
    skipReason: `rejected by ${by}${why(reason)}`,
    ...(reason ? { decisionReason: reason } : {}),
  });
  draft.record('step-rejected', { by, actor, reason }, stepId);
  draft.observations.stepOutcomes.push({ action: step.action, outcome: 'rejected' });
  return dispatchAndSettle(draft);
}

/**
 * Rolls back every succeeded containment with its recorded pre-state, newest first, one after the
 * other. Steps not started are skipped so nothing is contained again behind the rollback. A second
 * request retries a rollback that stalled on a failed or timed-out step (see {@link retryRollback});
 * otherwise it changes nothing.
 */
export function rollbackRequested(
  aggregate: IncidentAggregate,
  message: MessageOf<'rollback.requested'>,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  const { by, reason, actor } = message.payload;
  if (draft.incident.rollbackRequestedAt !== undefined) return retryRollback(draft, message);
  draft.updateIncident({ rollbackRequestedAt: draft.nowIso, rollbackRequestedBy: by });
  draft.record('rollback-requested', { by, actor, reason });
  skipUnstarted(draft, `rollback requested by ${by}`);
  draft.setStatus('rolling-back');
  for (const step of containmentsNewestFirst(draft.steps)) addRollbackStep(draft, step);
  return dispatchAndSettle(draft);
}

/**
 * Runs a stalled rollback again: each containment whose latest rollback failed or timed out, and
 * those whose rollback never ran because it waited behind one (skipped now, replaced), gets a new
 * rollback step, newest first as before. The failed steps stay as they are, for the record. A request
 * sent before the stalled steps were dispatched (a late duplicate of an earlier retry) changes
 * nothing, nor does one while a rollback step is in flight or once the incident is resolved.
 */
function retryRollback(draft: Draft, message: MessageOf<'rollback.requested'>): Draft {
  const { by, reason, actor } = message.payload;
  const stalled = stalledRollbacks(draft.steps);
  const lastDispatch = Math.max(...stalled.map((step) => Date.parse(step.dispatchedAt ?? '') || 0));
  if (
    stalled.length === 0 ||
    draft.incident.status === 'resolved' ||
    Date.parse(message.sentAt) <= lastDispatch
  )
    return draft;
  draft.record('rollback-retried', { by, actor, reason, retried: stalled.map((step) => step.stepId) });
  const waiting = draft.steps.filter((step) => step.origin === 'rollback' && step.status === 'pending');
  for (const step of waiting) {
    const skipReason = `replaced: rollback retried by ${by}`;
    draft.updateStep(step.stepId, { status: 'skipped', skipReason });
    draft.record('step-skipped', { reason: skipReason }, step.stepId);
  }
  draft.setStatus('rolling-back');
  const replaced = [...stalled, ...waiting];
  const again = new Set(replaced.map((step) => step.rollbackOf));
  const replacedIds = new Set(replaced.map((step) => step.stepId));
  for (const step of containmentsNewestFirst(draft.steps))
    if (again.has(step.stepId)) addRollbackStep(draft, step, replacedIds);
  return dispatchAndSettle(draft);
}

/**
 * Resolves the incident: steps not started are skipped, people are told. Steps in flight still have
 * their results recorded. The handler releases the incident's resources afterwards.
 */
export function resolveRequested(
  aggregate: IncidentAggregate,
  message: MessageOf<'incident.resolve-requested'>,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  const { by, reason, actor } = message.payload;
  if (draft.incident.status === 'resolved') return draft;
  skipUnstarted(draft, `incident resolved by ${by}`);
  draft.updateIncident({ status: 'resolved', resolvedAt: draft.nowIso, resolvedBy: by });
  draft.record('incident-resolved', { by, actor, reason });
  raiseNotification(draft, 'resolved', 'resolved', `Incident resolved by ${by}${why(reason)}`);
  addCleanRoomTeardowns(draft);
  // Keep last: the report lists every step added above.
  addReportStep(draft);
  return dispatchAndSettle(draft);
}
