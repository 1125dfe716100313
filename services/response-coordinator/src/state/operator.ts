import type { DecisionBy, MessageOf, StepRecord } from '@ir/contracts';
import { addReportStep } from '../report/report-step.js';
import { addCleanRoomTeardowns } from './clean-room.js';
import { type DecisionContext, Draft } from './draft.js';
import { addFindingSyncStep } from './finding-sync.js';
import { raiseNotification } from './notifications.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import {
  addRollbackStep,
  containmentsNewestFirst,
  notifyRollbackApproval,
  stalledRollbacks,
} from './rollback-steps.js';
import type { IncidentAggregate } from '../model.js';

const why = (reason: string | undefined) => (reason ? `: ${reason}` : '');

/**
 * Skips every step that has not started, so nothing more goes out after a rollback or resolve
 * (`origins`: whose steps; the coordinator's own steps always go on).
 */
function skipUnstarted(
  draft: Draft,
  reason: string,
  origins: readonly StepRecord['origin'][] = ['playbook', 'rollback'],
): void {
  for (const step of draft.steps) {
    if (!origins.includes(step.origin)) continue;
    if (step.status === 'pending' || step.status === 'awaiting-approval') {
      draft.updateStep(step.stepId, { status: 'skipped', skipReason: reason });
      draft.record('step-skipped', { reason }, step.stepId);
    }
  }
}

/** The requester of a decision message, as rollback steps record it. */
function requesterOf(message: MessageOf<'rollback.requested'>, at: string): DecisionBy {
  const { by, actor } = message.payload;
  return { by, ...(actor ? { actor } : {}), at };
}

/**
 * Rolls back every succeeded containment with its recorded pre-state, newest first, one after the
 * other. Every rollback waits for an approver other than the requester (two-person rule): its steps
 * are held together as one batch, and one approval releases them all. Playbook steps not started wait
 * behind the request (nothing is contained again behind the rollback) and are skipped once it is
 * approved, or right away when there is nothing to approve. A second request retries a rollback that
 * stalled on a failed, timed-out or rejected step (see {@link retryRollback}); otherwise it changes
 * nothing.
 */
export function rollbackRequested(
  aggregate: IncidentAggregate,
  message: MessageOf<'rollback.requested'>,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  const { by, reason, actor } = message.payload;
  if (draft.incident.rollbackRequestedAt !== undefined) return retryRollback(draft, message);
  draft.updateIncident({
    rollbackRequestedAt: draft.nowIso,
    rollbackRequestedBy: by,
    ...(actor ? { rollbackRequestedByActor: actor } : {}),
  });
  const requester = requesterOf(message, draft.nowIso);
  draft.record('rollback-requested', { by, actor, reason, requestedBy: requester });
  draft.setStatus('rolling-back');
  const held = containmentsNewestFirst(draft.steps)
    .map((step) => addRollbackStep(draft, step, { requester }))
    .filter((step) => step?.status === 'awaiting-approval') as StepRecord[];
  if (held.length === 0) skipUnstarted(draft, `rollback requested by ${by}`, ['playbook']);
  notifyRollbackApproval(draft, held);
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
  const requester = requesterOf(message, draft.nowIso);
  const held: StepRecord[] = [];
  for (const step of containmentsNewestFirst(draft.steps)) {
    if (!again.has(step.stepId)) continue;
    const added = addRollbackStep(draft, step, { replaced: replacedIds, requester });
    if (added?.status === 'awaiting-approval') held.push(added);
  }
  notifyRollbackApproval(draft, held);
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
  const { by, reason, actor, disposition, category } = message.payload;
  if (draft.incident.status === 'resolved') return draft;
  skipUnstarted(draft, `incident resolved by ${by}`);
  const decided = {
    disposition,
    category,
    decidedBy: by,
    ...(actor ? { decidedByActor: actor } : {}),
    decidedAt: draft.nowIso,
    source: message.payload.source ?? 'operator',
  } as const;
  draft.updateIncident({
    status: 'resolved',
    resolvedAt: draft.nowIso,
    resolvedBy: by,
    ...(actor ? { resolvedByActor: actor } : {}),
    disposition: decided,
  });
  draft.record('incident-resolved', { by, actor, reason, disposition, category, source: decided.source });
  if (!draft.incident.dryRun) {
    draft.observations.resolved = {
      playbook: draft.incident.playbookId,
      category,
      disposition,
      seconds: Math.max(0, (Date.parse(draft.nowIso) - Date.parse(draft.incident.receivedAt)) / 1000),
      findingTypes: [...new Set(draft.incident.findings.map((finding) => finding.type))],
    };
  }
  raiseNotification(
    draft,
    'resolved',
    'resolved',
    `Incident resolved by ${by} as ${disposition} (${category})${why(reason)}`,
    { details: { disposition, category } },
  );
  addCleanRoomTeardowns(draft);
  addFindingSyncStep(draft, 'resolved');
  // Keep last: the report lists every step added above.
  addReportStep(draft);
  return dispatchAndSettle(draft);
}
