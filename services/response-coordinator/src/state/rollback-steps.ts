import { rollbackActions, type StepRecord } from '@ir/contracts';
import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';

const reversible = new Set<string>(rollbackActions);

/**
 * Adds the rollback of one succeeded containment, after the rollback added before it, so rollbacks
 * run one at a time, newest containment first. A containment without a rollback (a removed console
 * password) or without recorded pre-state cannot be undone: people are told instead. The first
 * attempt is `rollback:<step>`; a retry of a stalled rollback adds `rollback:<step>:retry-<n>`, a new
 * step and so a new command id (workers replay the answer of a command id they have answered),
 * which does not wait for the `replaced` attempts.
 */
export function addRollbackStep(
  draft: Draft,
  original: StepRecord,
  replaced: ReadonlySet<string> = new Set(),
): void {
  const action = original.action.replace(/^contain\./, 'rollback.');
  const problem = !reversible.has(action)
    ? `${original.action} cannot be undone`
    : original.preState === undefined
      ? 'the worker recorded no pre-containment state'
      : undefined;
  if (problem !== undefined) {
    draft.record('rollback-impossible', { reason: problem }, original.stepId);
    raiseNotification(
      draft,
      `rollback-impossible:${original.stepId}`,
      'step-failed',
      `Step ${original.stepId} cannot be rolled back: ${problem}; undo it by hand`,
      { details: { stepId: original.stepId, action: original.action } },
    );
    return;
  }
  // A retry's steps chain after each other, never after the attempts they replace.
  const previous = draft.steps
    .filter((step) => step.origin === 'rollback' && !replaced.has(step.stepId))
    .at(-1);
  const attempts = draft.steps.filter((step) => step.rollbackOf === original.stepId).length;
  draft.addStep({
    stepId: `rollback:${original.stepId}${attempts > 0 ? `:retry-${attempts}` : ''}`,
    action: action as StepRecord['action'],
    queue: 'isolator',
    params: { originalStepId: original.stepId, preState: original.preState },
    target: original.target,
    after: previous ? [previous.stepId] : [],
    approval: 'none',
    timeoutSeconds: original.timeoutSeconds,
    containment: false,
    sealsEvidence: false,
    origin: 'rollback',
    rollbackOf: original.stepId,
    status: 'pending',
    holdReasons: [],
    escalations: 0,
    countedAutomatic: false,
  });
}

/** Succeeded containments, newest first (by completion time, then by plan order). */
export function containmentsNewestFirst(steps: readonly StepRecord[]): StepRecord[] {
  return steps
    .filter((step) => step.containment && step.status === 'succeeded')
    .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? '') || b.order - a.order);
}

/**
 * The rollback steps an operator may retry: the latest attempt of each containment not rolled back
 * yet, where that attempt failed or timed out, and only while no rollback step is in flight. Why a
 * retry exists: a rollback that weakens a control (re-open ingress, stop a trail) fails until an
 * operator has made that change, and running it again is how the responder verifies it.
 */
export function stalledRollbacks(steps: readonly StepRecord[]): StepRecord[] {
  const rollbacks = steps.filter((step) => step.origin === 'rollback');
  if (rollbacks.some((step) => step.status === 'dispatched' || step.status === 'awaiting-approval'))
    return [];
  const latest = new Map<string, StepRecord>();
  for (const step of [...rollbacks].sort((a, b) => a.order - b.order))
    if (step.rollbackOf !== undefined) latest.set(step.rollbackOf, step);
  return [...latest.values()].filter(
    (step) =>
      (step.status === 'failed' || step.status === 'timed-out') &&
      steps.find((original) => original.stepId === step.rollbackOf)?.status !== 'rolled-back',
  );
}
