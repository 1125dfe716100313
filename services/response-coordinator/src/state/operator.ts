import type { MessageOf } from '@ir/contracts';
import { addReportStep } from '../report/report-step.js';
import { addCleanRoomTeardowns } from './clean-room.js';
import { type DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { draftForStep } from './require-step.js';
import { addRollbackStep, containmentsNewestFirst } from './rollback-steps.js';
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
  const { stepId, by, reason } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  draft.updateStep(stepId, {
    status: 'pending',
    approvedBy: by,
    ...(reason ? { decisionReason: reason } : {}),
  });
  draft.record('step-approved', { by, reason, holdReasons: step.holdReasons }, stepId);
  return dispatchAndSettle(draft);
}

/** An operator rejected a held step: it is skipped, and steps after it go on. */
export function approvalRejected(
  aggregate: IncidentAggregate,
  message: MessageOf<'approval.rejected'>,
  context: DecisionContext,
): Draft {
  const { stepId, by, reason } = message.payload;
  const { draft, step } = draftForStep(aggregate, context, stepId, ['awaiting-approval']);
  if (!step) return draft;
  draft.updateStep(stepId, {
    status: 'skipped',
    rejectedBy: by,
    skipReason: `rejected by ${by}${why(reason)}`,
    ...(reason ? { decisionReason: reason } : {}),
  });
  draft.record('step-rejected', { by, reason }, stepId);
  draft.observations.stepOutcomes.push({ action: step.action, outcome: 'rejected' });
  return dispatchAndSettle(draft);
}

/**
 * Rolls back every succeeded containment with its recorded pre-state, newest first, one after the
 * other. Steps not started are skipped so nothing is contained again behind the rollback.
 */
export function rollbackRequested(
  aggregate: IncidentAggregate,
  message: MessageOf<'rollback.requested'>,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  const { by, reason } = message.payload;
  if (draft.incident.rollbackRequestedAt !== undefined) return draft;
  draft.updateIncident({ rollbackRequestedAt: draft.nowIso, rollbackRequestedBy: by });
  draft.record('rollback-requested', { by, reason });
  skipUnstarted(draft, `rollback requested by ${by}`);
  draft.setStatus('rolling-back');
  for (const step of containmentsNewestFirst(draft.steps)) addRollbackStep(draft, step);
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
  const { by, reason } = message.payload;
  if (draft.incident.status === 'resolved') return draft;
  skipUnstarted(draft, `incident resolved by ${by}`);
  draft.updateIncident({ status: 'resolved', resolvedAt: draft.nowIso, resolvedBy: by });
  draft.record('incident-resolved', { by, reason });
  raiseNotification(draft, 'resolved', 'resolved', `Incident resolved by ${by}${why(reason)}`);
  addCleanRoomTeardowns(draft);
  // Keep last: the report lists every step added above.
  addReportStep(draft);
  return dispatchAndSettle(draft);
}
