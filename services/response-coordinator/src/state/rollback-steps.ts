import { rollbackActions, type StepRecord } from '@ir/contracts';
import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';

const reversible = new Set<string>(rollbackActions);

/**
 * Adds the rollback of one succeeded containment, after the rollback added before it, so rollbacks
 * run one at a time, newest containment first. A containment without a rollback (a removed console
 * password) or without recorded pre-state cannot be undone: people are told instead.
 */
export function addRollbackStep(draft: Draft, original: StepRecord): void {
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
  const previous = draft.steps.filter((step) => step.origin === 'rollback').at(-1);
  draft.addStep({
    stepId: `rollback:${original.stepId}`,
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
