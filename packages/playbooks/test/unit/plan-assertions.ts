import { markingActions, payloadSchemas } from '@ir/contracts';
import { expect } from 'vitest';
import type { IncidentPlan, PlannedStep } from '../../src/index.js';

/** Every step id the step waits for, directly or not. */
export function ancestors(plan: IncidentPlan, stepId: string): Set<string> {
  const byId = new Map(plan.steps.map((step) => [step.stepId, step]));
  const seen = new Set<string>();
  const stack = [...(byId.get(stepId)?.after ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.after ?? []));
  }
  return seen;
}

/**
 * What every plan must satisfy, whatever the playbook: unique ids, dependencies that exist and come
 * earlier, and each step a command the worker accepts (the full payload parses with contracts).
 */
export function expectWellFormed(plan: IncidentPlan): void {
  const ids = plan.steps.map((step) => step.stepId);
  expect(new Set(ids).size).toBe(ids.length);
  plan.steps.forEach((step, i) => {
    for (const dependency of step.after) expect(ids.indexOf(dependency)).toBeGreaterThanOrEqual(0);
    for (const dependency of step.after) expect(ids.indexOf(dependency)).toBeLessThan(i);
    const command = commandOf(step, plan.playbookId);
    expect(payloadSchemas[step.action].safeParse(command).success, `${step.stepId} parses`).toBe(true);
    // contain.tag-incident goes to the isolator but only labels: not a containment.
    const marking = (markingActions as readonly string[]).includes(step.action);
    expect(step.containment).toBe(step.action.startsWith('contain.') && !marking);
    expect(step.sealsEvidence).toBe(step.action === 'evidence.seal');
  });
}

/** The command payload the coordinator would send for a step. */
export function commandOf(step: PlannedStep, playbookId: string): Record<string, unknown> {
  return {
    stepId: step.stepId,
    action: step.action,
    playbookId,
    target: step.target,
    timeoutSeconds: step.timeoutSeconds,
    params: step.params,
  };
}

/** The plan's step ids, sorted (for comparing sets). */
export function stepIds(plan: IncidentPlan): string[] {
  return plan.steps.map((step) => step.stepId).sort();
}

/** The step with `stepId`; fails the test when it is missing. */
export function stepOf(plan: IncidentPlan, stepId: string): PlannedStep {
  const step = plan.steps.find((candidate) => candidate.stepId === stepId);
  if (!step) throw new Error(`no step ${stepId} in ${stepIds(plan).join(', ')}`);
  return step;
}
