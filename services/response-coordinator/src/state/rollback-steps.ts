import { type DecisionBy, markingActions, rollbackActions, type StepRecord } from '@ir/contracts';
import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';

const reversible = new Set<string>(rollbackActions);
const marking = new Set<string>(markingActions);

/**
 * True for a step an incident rollback undoes: a containment, or an isolator step that only labels a
 * resource (`contain.tag-incident`), which is not a containment but changed the resource all the same.
 */
export function undoneByRollback(step: StepRecord): boolean {
  return step.containment || (step.origin === 'playbook' && marking.has(step.action));
}

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000).toISOString();

/** The fields of a new rollback step that say whether it waits for a second person, and who asked. */
type RollbackHold = Pick<
  StepRecord,
  | 'status'
  | 'holdReasons'
  | 'requestedBy'
  | 'approvalRequestedAt'
  | 'approvalDeadlineAt'
  | 'approvedBy'
  | 'approvedByActor'
  | 'approvals'
  | 'decisionReason'
>;

/** A rollback step held for an approver other than `requester` (the two-person rule, TRAPS 23). */
function heldFor(draft: Draft, requester: DecisionBy): RollbackHold {
  return {
    status: 'awaiting-approval',
    holdReasons: ['two-person-rule'],
    requestedBy: requester,
    approvalRequestedAt: draft.nowIso,
    approvalDeadlineAt: addSeconds(draft.context.now, draft.context.settings.approvalTimeoutSeconds),
    approvals: [],
  };
}

/** Who asked for the incident's rollback, as the incident records it. */
export function rollbackRequester(draft: Draft): DecisionBy {
  const incident = draft.incident;
  return {
    by: incident.rollbackRequestedBy ?? 'unknown',
    ...(incident.rollbackRequestedByActor ? { actor: incident.rollbackRequestedByActor } : {}),
    at: incident.rollbackRequestedAt ?? draft.nowIso,
  };
}

/**
 * How a new rollback step starts. With a `requester` (a rollback request or retry), it is held for
 * another person. Without one (a containment that finished after the request), it joins the request's
 * decision: held with the batch still waiting, approved like the batch that was approved, else held
 * for the incident's requester.
 */
function rollbackHold(draft: Draft, requester: DecisionBy | undefined): RollbackHold {
  if (requester) return heldFor(draft, requester);
  const rollbacks = draft.steps.filter((step) => step.origin === 'rollback');
  const waiting = rollbacks.find((step) => step.status === 'awaiting-approval');
  if (waiting) {
    const { status, holdReasons, requestedBy, approvalRequestedAt, approvalDeadlineAt } = waiting;
    return { status, holdReasons, requestedBy, approvalRequestedAt, approvalDeadlineAt, approvals: [] };
  }
  const latest = rollbacks.at(-1);
  if (latest?.approvedBy !== undefined && latest.rejectedBy === undefined) {
    const { requestedBy, approvedBy, approvedByActor, approvals, decisionReason } = latest;
    return {
      status: 'pending',
      holdReasons: ['two-person-rule'],
      requestedBy,
      approvedBy,
      approvedByActor,
      approvals,
      decisionReason,
    };
  }
  return heldFor(draft, rollbackRequester(draft));
}

/**
 * Adds the rollback of one succeeded containment, after the rollback added before it, so rollbacks
 * run one at a time, newest containment first. A containment without a rollback (a removed console
 * password) or without recorded pre-state cannot be undone: people are told instead. The first
 * attempt is `rollback:<step>`; a retry of a stalled rollback adds `rollback:<step>:retry-<n>`, a new
 * step and so a new command id (workers replay the answer of a command id they have answered),
 * which does not wait for the `replaced` attempts. Every rollback step waits for an approver other
 * than the person who asked for the rollback (see {@link rollbackHold}); the step is returned.
 */
export function addRollbackStep(
  draft: Draft,
  original: StepRecord,
  options: { replaced?: ReadonlySet<string>; requester?: DecisionBy } = {},
): StepRecord | undefined {
  const replaced = options.replaced ?? new Set<string>();
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
    return undefined;
  }
  // A retry's steps chain after each other, never after the attempts they replace.
  const previous = draft.steps
    .filter((step) => step.origin === 'rollback' && !replaced.has(step.stepId))
    .at(-1);
  const attempts = draft.steps.filter((step) => step.rollbackOf === original.stepId).length;
  const stepId = `rollback:${original.stepId}${attempts > 0 ? `:retry-${attempts}` : ''}`;
  const hold = rollbackHold(draft, options.requester);
  draft.addStep({
    stepId,
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
    approvalsRequired: 1,
    escalations: 0,
    countedAutomatic: false,
    ...stripUndefined(hold),
  });
  const added = draft.step(stepId);
  if (added?.status === 'awaiting-approval') {
    draft.record(
      'approval-requested',
      { action: added.action, holdReasons: added.holdReasons, requestedBy: added.requestedBy },
      stepId,
    );
  }
  return added;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The rollback steps one approval decides together: every rollback step waiting for approval. Why
 * together: one request rolls back every containment, so a person approves (or rejects) the request,
 * not each of its steps; there is never more than one such batch (a retry waits until none waits).
 */
export function rollbackBatch(steps: readonly StepRecord[]): StepRecord[] {
  return steps.filter((step) => step.origin === 'rollback' && step.status === 'awaiting-approval');
}

/**
 * Tells people a rollback waits for a second person, once per batch (keyed by its first step), with
 * who asked: the rollback reconnects what was contained, so the approver must be someone else.
 */
export function notifyRollbackApproval(draft: Draft, held: readonly StepRecord[]): void {
  const first = held[0];
  if (!first) return;
  const requester = first.requestedBy?.by ?? 'unknown';
  raiseNotification(
    draft,
    `approval-needed:${first.stepId}`,
    'approval-needed',
    `Rollback requested by ${requester} waits for approval of ${held.length} step(s); a second, different approver is needed (two-person rule)`,
    {
      details: {
        stepId: first.stepId,
        stepIds: held.map((step) => step.stepId),
        action: first.action,
        holdReasons: first.holdReasons,
        approvalsRequired: 1,
        requestedBy: first.requestedBy,
      },
    },
  );
}

/** Succeeded containments (and marking steps), newest first (by completion time, then by plan order). */
export function containmentsNewestFirst(steps: readonly StepRecord[]): StepRecord[] {
  return steps
    .filter((step) => undoneByRollback(step) && step.status === 'succeeded')
    .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? '') || b.order - a.order);
}

/**
 * The rollback steps an operator may retry: the latest attempt of each containment not rolled back
 * yet, where that attempt failed, timed out or was rejected by an approver, and only while no
 * rollback step is in flight or waiting for approval. Why a
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
      (step.status === 'failed' ||
        step.status === 'timed-out' ||
        (step.status === 'skipped' && step.rejectedBy !== undefined)) &&
      steps.find((original) => original.stepId === step.rollbackOf)?.status !== 'rolled-back',
  );
}
