import { type DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { isAdvisoryStep } from './finding-sync.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import type { IncidentAggregate } from '../model.js';

/**
 * The sweeper's look at an incident: a dispatched step past its deadline is timed out and people are
 * told; an approval past its deadline is escalated again, paging on-call, and is never approved
 * automatically. The steps of a rollback waiting for its second person are escalated together, with
 * one notice for the batch.
 */
export function escalateOverdueSteps(aggregate: IncidentAggregate, context: DecisionContext): Draft {
  const draft = new Draft(aggregate, context);
  const now = context.now.getTime();
  let rollbackNoticeRaised = false;
  for (const step of draft.steps) {
    if (step.status === 'dispatched' && step.deadlineAt && Date.parse(step.deadlineAt) <= now) {
      draft.updateStep(step.stepId, { status: 'timed-out' });
      draft.record(
        'step-timed-out',
        { action: step.action, timeoutSeconds: step.timeoutSeconds },
        step.stepId,
      );
      draft.observations.stepOutcomes.push({ action: step.action, outcome: 'timed_out' });
      // A finding sync only mirrors our decision into Security Hub: recorded, never needs attention.
      if (isAdvisoryStep(step)) continue;
      if (draft.incident.status !== 'resolved') draft.setStatus('needs-attention');
      if (step.action !== 'notify.incident') {
        raiseNotification(
          draft,
          `step-timed-out:${step.stepId}`,
          'step-failed',
          `Step ${step.stepId} (${step.action}) got no result within ${step.timeoutSeconds} s`,
          { details: { stepId: step.stepId, action: step.action, reason: 'timed-out' } },
        );
      }
    }
    if (
      step.status === 'awaiting-approval' &&
      step.approvalDeadlineAt &&
      Date.parse(step.approvalDeadlineAt) <= now
    ) {
      const escalation = step.escalations + 1;
      draft.updateStep(step.stepId, {
        escalations: escalation,
        approvalDeadlineAt: new Date(now + context.settings.approvalTimeoutSeconds * 1000).toISOString(),
      });
      draft.record('approval-escalated', { escalation }, step.stepId);
      const rollback = step.origin === 'rollback';
      if (rollback && rollbackNoticeRaised) continue;
      rollbackNoticeRaised ||= rollback;
      const two =
        step.approvalsRequired > 1 || step.requestedBy !== undefined
          ? `; ${step.approvals.length > 0 ? 'a second' : 'an'} approver other than ${
              step.requestedBy?.by ?? step.approvals[0]?.by ?? 'the requester'
            } is needed (two-person rule)`
          : '';
      const what = rollback
        ? `The rollback requested by ${step.requestedBy?.by ?? 'unknown'}`
        : `Step ${step.stepId} (${step.action})`;
      raiseNotification(
        draft,
        `approval-overdue:${step.stepId}:${escalation}`,
        'approval-needed',
        `${what} still waits for approval (reminder ${escalation})${two}`,
        {
          details: {
            stepId: step.stepId,
            action: step.action,
            holdReasons: step.holdReasons,
            escalation,
            approvalsRequired: step.approvalsRequired,
            ...(step.requestedBy ? { requestedBy: step.requestedBy } : {}),
          },
          page: true,
        },
      );
    }
  }
  return dispatchAndSettle(draft);
}
