import type { HoldReason, MessageOf } from '@ir/contracts';
import type { IncidentAggregate } from '../model.js';
import { hold } from './advance.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import type { DecisionContext, Draft } from './draft.js';
import { draftForStep } from './require-step.js';

/** A held answer is taken for a step in flight, or one that timed out (the worker changed nothing). */
const awaitingResult = ['dispatched', 'timed-out'] as const;

/**
 * A worker held a step: a resource it would change carries the protected tag in AWS (read live,
 * TRAPS 22) and the command was not approved for `protected-resource`; nothing was changed. The step
 * waits for two approvers again (`protected-resource`), and approvals given before for other reasons
 * are dropped: they did not know the resource was protected. The resources join the incident's
 * protected resources, so its containments not dispatched yet are held too. A second delivery of
 * the answer changes nothing (the step is no longer in flight).
 */
export function stepHeld(
  aggregate: IncidentAggregate,
  message: MessageOf<'step.held'>,
  context: DecisionContext,
): Draft {
  const answer = message.payload;
  const { draft, step } = draftForStep(aggregate, context, answer.stepId, awaitingResult, answer.action);
  if (!step) return draft;
  const keys = answer.resources.map((resource) => resource.key);
  const incident = draft.incident;
  const added = keys.filter((key) => !incident.protectedResources.includes(key));
  if (added.length > 0) {
    draft.updateIncident({ protectedResources: [...incident.protectedResources, ...added] });
  }
  draft.record(
    'protected-resources-found',
    { action: step.action, source: 'aws', resources: answer.resources, heldAt: answer.heldAt },
    step.stepId,
  );
  // A step that timed out was counted as needing attention; held, it waits for people instead.
  if (step.status === 'timed-out' && incident.status === 'needs-attention') {
    const troubled = draft.steps.some(
      (other) =>
        other.stepId !== step.stepId &&
        other.origin !== 'coordinator' &&
        (other.status === 'failed' || other.status === 'timed-out'),
    );
    if (!troubled) draft.setStatus('open');
  }
  const reset = draft.updateStep(step.stepId, {
    approvedBy: undefined,
    approvedByActor: undefined,
    decisionReason: undefined,
    approvals: [],
    escalations: 0,
  });
  const holds: HoldReason[] = [...new Set<HoldReason>([...step.holdReasons, 'protected-resource'])];
  const list = answer.resources.map((resource) => `${resource.key} (${resource.tag})`).join(', ');
  hold(draft, reset, holds, {
    notificationKey: `protected:${step.commandId ?? 'dispatch'}`,
    note: `found protected in AWS: ${list}`,
    details: { protectedResources: answer.resources },
  });
  return dispatchAndSettle(draft);
}
