import { errorMessage, errorName } from '@ir/runtime';
import { stepCommandMessage } from './commands.js';
import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { isAdvisoryStep } from './finding-sync.js';
import { type HoldReason, type StepRecord, TWO_PERSON_ACTIONS } from '@ir/contracts';
import { satisfiedStatuses } from '../model.js';

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000).toISOString();

/** True when every step `step` waits for has succeeded, been skipped or been rolled back. */
export function dependenciesMet(draft: Draft, step: StepRecord): boolean {
  return step.after.every((id) => {
    const dependency = draft.step(id);
    return dependency !== undefined && satisfiedStatuses.has(dependency.status);
  });
}

/** Once an incident is resolved or rolling back, only the coordinator's own steps still go out. */
function mayRunNow(draft: Draft, step: StepRecord): boolean {
  const status = draft.incident.status;
  if (status === 'resolved' || draft.incident.rollbackRequestedAt !== undefined) {
    return step.origin !== 'playbook';
  }
  return true;
}

/**
 * Why `step` must wait for a person, if it must. A containment is automatic only when nothing holds
 * it back and the blast-radius budget has room; taking a slot happens here so that the slot and the
 * dispatch are committed together.
 */
function holdsFor(draft: Draft, step: StepRecord): { holds: HoldReason[]; counted: boolean } {
  if (step.approvedBy !== undefined) return { holds: [], counted: false };
  const holds: HoldReason[] = [];
  if (step.approval === 'required') holds.push('approval-required');
  if (!step.containment) return { holds, counted: false };
  const incident = draft.incident;
  if (incident.protectedResources.length > 0) holds.push('protected-resource');
  if (incident.suppressionUnevaluated) holds.push('suppression-unevaluated');
  // A dry run contains nothing, so it does not use the budget.
  if (holds.length > 0 || incident.dryRun) return { holds, counted: false };
  if (draft.blastAvailable <= 0) return { holds: ['blast-radius'], counted: false };
  draft.blastAvailable -= 1;
  draft.blastUsed += 1;
  return { holds: [], counted: true };
}

/**
 * How many different people must approve a held step (the two-person rule, TRAPS 23): two for a
 * protected resource and for the actions in `TWO_PERSON_ACTIONS`, or as many as the playbook asks.
 */
export function approvalsRequiredFor(step: StepRecord, holds: readonly HoldReason[]): 1 | 2 {
  if (step.approvalsRequired === 2) return 2;
  return holds.includes('protected-resource') || TWO_PERSON_ACTIONS.has(step.action) ? 2 : 1;
}

/** The sentence notifications add when a step needs two people. */
export const TWO_APPROVERS_NOTE = 'two different approvers are needed (two-person rule)';

/** What {@link hold} adds for a hold found after dispatch (a worker's `step.held`). */
export interface HoldOptions {
  /** Suffix of the notification's key, so a second hold of one step notifies again. */
  readonly notificationKey?: string;
  /** A sentence the notification's summary ends with (what was found, where). */
  readonly note?: string;
  /** Added to the notification's details. */
  readonly details?: Record<string, unknown>;
}

/**
 * Holds `step` for approval: `awaiting-approval` with `holds`, the approvals required (two for a
 * protected resource), the approval deadline, a timeline entry and an `approval-needed` notification.
 */
export function hold(draft: Draft, step: StepRecord, holds: HoldReason[], options: HoldOptions = {}): void {
  const now = draft.context.now;
  const approvalsRequired = approvalsRequiredFor(step, holds);
  draft.updateStep(step.stepId, {
    status: 'awaiting-approval',
    holdReasons: holds,
    approvalsRequired,
    approvalRequestedAt: now.toISOString(),
    approvalDeadlineAt: addSeconds(now, draft.context.settings.approvalTimeoutSeconds),
  });
  draft.record(
    'approval-requested',
    { action: step.action, holdReasons: holds, approvalsRequired },
    step.stepId,
  );
  const paged = holds.includes('blast-radius');
  const two = approvalsRequired === 2 ? `; ${TWO_APPROVERS_NOTE}` : '';
  const note = options.note ? `; ${options.note}` : '';
  const key = options.notificationKey ? `${step.stepId}:${options.notificationKey}` : step.stepId;
  raiseNotification(
    draft,
    `approval-needed:${key}`,
    'approval-needed',
    `Step ${step.stepId} (${step.action}) waits for approval: ${holds.join(', ')}${two}${note}`,
    {
      details: {
        stepId: step.stepId,
        action: step.action,
        holdReasons: holds,
        approvalsRequired,
        params: step.params,
        ...(options.details ?? {}),
      },
      page: paged,
    },
  );
}

function dispatch(draft: Draft, step: StepRecord, counted: boolean): void {
  const { now, causationId, settings } = draft.context;
  let command: ReturnType<typeof stepCommandMessage>;
  try {
    command = stepCommandMessage(draft.incident, step, { now, causationId, producer: settings.producer });
  } catch (error: unknown) {
    // A plan that builds an invalid command is a bug, but the incident must still reach a person.
    const reason = `the command for this step is invalid: ${errorMessage(error)}`;
    draft.updateStep(step.stepId, {
      status: 'failed',
      completedAt: now.toISOString(),
      failure: { reason, errorName: errorName(error) },
    });
    draft.record('step-failed', { reason }, step.stepId);
    draft.observations.stepOutcomes.push({ action: step.action, outcome: 'failed' });
    // A finding sync only mirrors our decision into Security Hub: recorded, never needs attention.
    if (isAdvisoryStep(step)) return;
    if (draft.incident.status !== 'resolved') draft.setStatus('needs-attention');
    if (step.action !== 'notify.incident') {
      raiseNotification(
        draft,
        `step-failed:${step.stepId}`,
        'step-failed',
        `Step ${step.stepId} failed: ${reason}`,
      );
    }
    return;
  }
  draft.updateStep(step.stepId, {
    status: 'dispatched',
    commandId: command.messageId,
    dispatchedAt: now.toISOString(),
    deadlineAt: addSeconds(now, step.timeoutSeconds),
    countedAutomatic: counted,
  });
  draft.outbox.push(command);
  draft.record('step-dispatched', { action: step.action, queue: step.queue }, step.stepId);
}

/**
 * Dispatches every pending step whose dependencies are met, or holds it for approval. Repeats until
 * nothing moves, because holding a step raises a notification step that can go out at once.
 */
export function advance(draft: Draft): void {
  for (;;) {
    let moved = false;
    for (const step of draft.steps) {
      if (step.status !== 'pending' || !mayRunNow(draft, step) || !dependenciesMet(draft, step)) continue;
      const { holds, counted } = holdsFor(draft, step);
      if (holds.length > 0) hold(draft, step, holds);
      else dispatch(draft, step, counted);
      moved = true;
    }
    if (!moved) return;
  }
}
