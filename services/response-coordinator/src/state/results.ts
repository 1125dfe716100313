import type { MessageOf } from '@ir/contracts';
import { raiseReportedNotification } from '../report/reported-notification.js';
import type { DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { isAdvisoryStep } from './finding-sync.js';
import { draftForStep } from './require-step.js';
import { addRollbackStep, notifyRollbackApproval, undoneByRollback } from './rollback-steps.js';
import type { IncidentAggregate } from '../model.js';

/** A result is taken for a step in flight, or one that timed out (late results are facts too). */
const awaitingResult = ['dispatched', 'timed-out'] as const;

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * Records a step's success. A result for a step that timed out is still taken: the worker did the
 * work, and a containment's pre-state is what its rollback needs. A second delivery changes nothing.
 */
export function stepSucceeded(
  aggregate: IncidentAggregate,
  message: MessageOf<'step.succeeded'>,
  context: DecisionContext,
): Draft {
  const result = message.payload;
  const { draft, step } = draftForStep(aggregate, context, result.stepId, awaitingResult, result.action);
  if (!step) return draft;
  // A worker that could not do the work and said why (e.g. an instance SSM does not manage) answers
  // with `result.skipped`: the step is recorded as skipped with that reason, never as done (TRAPS 16).
  const skipped = result.result.skipped === true;
  draft.updateStep(step.stepId, {
    status: skipped ? 'skipped' : 'succeeded',
    completedAt: result.completedAt,
    result: result.result,
    ...(skipped ? { skipReason: String(result.result.reason ?? 'the worker skipped the step') } : {}),
    ...(result.preState ? { preState: result.preState } : {}),
    ...(result.verified ? { verified: result.verified } : {}),
  });
  draft.record(
    skipped
      ? 'step-skipped-by-worker'
      : step.status === 'timed-out'
        ? 'step-succeeded-late'
        : 'step-succeeded',
    {
      action: step.action,
      ...(skipped ? { reason: String(result.result.reason ?? '') } : {}),
      ...(result.verified ? { verified: result.verified } : {}),
    },
    step.stepId,
  );
  draft.observations.stepOutcomes.push({ action: step.action, outcome: skipped ? 'skipped' : 'succeeded' });
  if (skipped) return dispatchAndSettle(draft);
  const incident = draft.incident;
  if (step.containment && incident.firstContainedAt === undefined) {
    draft.updateIncident({ firstContainedAt: result.completedAt });
    if (!incident.dryRun) draft.observations.mttiSeconds = seconds(incident.receivedAt, result.completedAt);
  }
  if (step.sealsEvidence && incident.evidenceSealedAt === undefined) {
    draft.updateIncident({ evidenceSealedAt: result.completedAt });
    if (!incident.dryRun) draft.observations.mtteSeconds = seconds(incident.receivedAt, result.completedAt);
  }
  if (step.rollbackOf !== undefined) {
    const undone = draft.step(step.rollbackOf);
    if (undone) draft.observations.rolledBack = [...(draft.observations.rolledBack ?? []), undone.action];
    draft.updateStep(step.rollbackOf, { status: 'rolled-back' });
    draft.record('containment-rolled-back', { rollbackStepId: step.stepId }, step.rollbackOf);
  }
  raiseReportedNotification(draft, step.stepId, result.result);
  // A containment that finished after the rollback was requested is undone too.
  const finished = draft.step(step.stepId);
  if (undoneByRollback(step) && incident.rollbackRequestedAt !== undefined && finished) {
    const waiting = draft.steps.some((s) => s.origin === 'rollback' && s.status === 'awaiting-approval');
    const added = addRollbackStep(draft, finished);
    // Joining a batch that waits adds no notice; a new hold (the batch was rejected) needs one.
    if (added?.status === 'awaiting-approval' && !waiting) notifyRollbackApproval(draft, [added]);
  }
  return dispatchAndSettle(draft);
}

/**
 * Records a step's failure: the incident needs attention, people are told with the worker's reason,
 * and branches that do not depend on the step go on. A failed notification is not notified about
 * again (that could loop); it shows on the incident and in the logs.
 */
export function stepFailed(
  aggregate: IncidentAggregate,
  message: MessageOf<'step.failed'>,
  context: DecisionContext,
): Draft {
  const failure = message.payload;
  const { draft, step } = draftForStep(aggregate, context, failure.stepId, awaitingResult, failure.action);
  if (!step) return draft;
  draft.updateStep(step.stepId, {
    status: 'failed',
    completedAt: failure.failedAt,
    failure: {
      reason: failure.reason,
      errorName: failure.errorName,
      ...(failure.detail ? { detail: failure.detail } : {}),
    },
  });
  draft.record(
    'step-failed',
    { action: step.action, reason: failure.reason, errorName: failure.errorName },
    step.stepId,
  );
  draft.observations.stepOutcomes.push({ action: step.action, outcome: 'failed' });
  // A failed finding sync is on the timeline and in the metrics, and that is all: it mirrors our
  // decision into Security Hub, so it must not put the incident in needs-attention nor page anyone.
  if (isAdvisoryStep(step)) return dispatchAndSettle(draft);
  if (draft.incident.status !== 'resolved') draft.setStatus('needs-attention');
  if (step.action !== 'notify.incident') {
    raiseNotification(
      draft,
      `step-failed:${step.stepId}`,
      'step-failed',
      `Step ${step.stepId} (${step.action}) failed: ${failure.reason}`,
      {
        details: {
          stepId: step.stepId,
          action: step.action,
          reason: failure.reason,
          errorName: failure.errorName,
        },
      },
    );
  }
  return dispatchAndSettle(draft);
}
