import type { Finding, SeverityBand } from '@ir/contracts';
import type { IncidentPlan, PlannedStep } from '@ir/playbooks';
import { autoApproveCleanRoom } from './clean-room.js';
import type { Draft } from './draft.js';

/**
 * Turns a finding into a plan at a severity band (detection's classification): `planIncident` over
 * the loaded playbooks, injectable in tests.
 */
export type Planner = (finding: Finding, severityBand: SeverityBand) => IncidentPlan;

/** Adds the plan's steps that the incident does not have yet; returns the ids added. */
export function addPlannedSteps(draft: Draft, steps: readonly PlannedStep[]): string[] {
  const added: string[] = [];
  for (const step of steps) {
    const isNew = draft.addStep({
      stepId: step.stepId,
      action: step.action,
      queue: step.queue,
      params: { ...step.params },
      target: { ...step.target },
      after: [...step.after],
      approval: step.approval,
      timeoutSeconds: step.timeoutSeconds,
      containment: step.containment,
      sealsEvidence: step.sealsEvidence,
      origin: 'playbook',
      status: 'pending',
      holdReasons: [],
      approvalsRequired: step.approvers ?? 1,
      approvals: [],
      escalations: 0,
      countedAutomatic: false,
    });
    if (isNew) added.push(step.stepId);
  }
  autoApproveCleanRoom(draft, added);
  return added;
}

/**
 * Facts a person must know that follow from the plan: the planner's notes (e.g. revoking a role's
 * sessions affects every workload on the role, TRAPS 7) and the steps it could not plan for lack of
 * data, because a containment that silently did not happen is a false success (TRAPS 16).
 */
export function planNotes(plan: IncidentPlan): string[] {
  return [
    ...plan.notes,
    ...plan.omitted.map((step) => `Step ${step.stepId} (${step.action}) was not planned: ${step.reason}`),
  ];
}
