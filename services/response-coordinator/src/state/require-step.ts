import type { StepAction, StepRecord, StepStatus } from '@ir/contracts';
import { UnknownStepError } from '../errors.js';
import { type DecisionContext, Draft } from './draft.js';
import type { IncidentAggregate } from '../model.js';

/** The step a message names; a step the incident lacks, or another action, is non-retryable. */
export function requireStep(draft: Draft, stepId: string, action?: StepAction): StepRecord {
  const step = draft.step(stepId);
  if (!step) throw new UnknownStepError(draft.incident.incidentId, stepId, 'not in the plan');
  if (action !== undefined && step.action !== action) {
    throw new UnknownStepError(
      draft.incident.incidentId,
      stepId,
      `the result is for ${action}, the step is ${step.action}`,
    );
  }
  return step;
}

/**
 * The draft of an event about one step, and the step if it is in one of `accepted` statuses;
 * `step` is undefined when the event comes too late or twice and must change nothing.
 */
export function draftForStep(
  aggregate: IncidentAggregate,
  context: DecisionContext,
  stepId: string,
  accepted: readonly StepStatus[],
  action?: StepAction,
): { draft: Draft; step: StepRecord | undefined } {
  const draft = new Draft(aggregate, context);
  const step = requireStep(draft, stepId, action);
  return { draft, step: accepted.includes(step.status) ? step : undefined };
}
