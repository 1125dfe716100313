import type { z } from 'zod';
import { approvalRequiredActions, type PlaybookAction, paramsSchemaOf } from './actions.js';
import type { StepCondition } from './conditions.js';
import type { Dimension } from './dimensions.js';
import { topologicalOrder } from './graph.js';
import { withAudience } from './notify-params.js';
import type { PlaybookShape } from './playbook-shape.js';
import { renderTemplate, templateReferences } from './template.js';
import { variableOf } from './variables.js';

type Shape = z.output<typeof PlaybookShape>;
type Path = (string | number)[];

/** The id of the catch-all playbook, which must match every finding. */
export const GENERIC_PLAYBOOK_ID = 'generic';

/** Cross-field checks of a playbook (see `Playbook`); each problem is reported at its path. */
export function checkPlaybook(playbook: Shape, ctx: z.RefinementCtx): void {
  const report = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (playbook.id === GENERIC_PLAYBOOK_ID && Object.values(playbook.match).some((v) => v !== undefined)) {
    report(
      ['match'],
      `'${GENERIC_PLAYBOOK_ID}' must match every finding (no conditions), so no finding goes unanswered`,
    );
  }
  checkGraph(playbook, report);
  playbook.steps.forEach((step, i) => {
    const at: Path = ['steps', i];
    const dimensions = step.forEach ?? [];
    checkForEach(dimensions, [...at, 'forEach'], report);
    checkCondition(step.when, dimensions, [...at, 'when'], report);
    const templatesOk = checkTemplates(step.params, dimensions, [...at, 'params'], report);
    if (templatesOk) checkParams(step.action, step.params, [...at, 'params'], report);
    if (reportsOutcome(step.action, step.params) && !(step.requiresAfter && step.after.length > 0)) {
      report(
        [...at, 'requiresAfter'],
        `a '${String(step.params.stage)}' notice must wait for the steps it reports ('after:') with 'requiresAfter: true'`,
      );
    }
    if (approvalRequiredActions.has(step.action) && step.approval !== 'required') {
      report([...at, 'approval'], `${step.action} cannot be undone, so it must be 'required'`);
    }
    if (step.approvers === 2 && step.approval !== 'required') {
      // Explicit rather than implied: a reader of the step sees that it waits for people.
      report(
        [...at, 'approvers'],
        "two approvers need 'approval: required' (a step that needs no approval has no approvers)",
      );
    }
  });
  playbook.notes.forEach((note, i) => {
    const dimensions = note.forEach ?? [];
    checkForEach(dimensions, ['notes', i, 'forEach'], report);
    checkCondition(note.when, dimensions, ['notes', i, 'when'], report);
    checkTemplates(note.text, dimensions, ['notes', i, 'text'], report);
  });
}

type Report = (path: Path, message: string) => void;

/** A notification that announces an outcome; it must not be sent unless that outcome was planned. */
function reportsOutcome(action: PlaybookAction, params: Record<string, unknown>): boolean {
  return (
    action === 'notify.incident' &&
    (params.stage === 'contained' || params.stage === 'evidence-sealed' || params.stage === 'investigated')
  );
}

function checkGraph(playbook: Shape, report: Report): void {
  const ids = new Map<string, number>();
  playbook.steps.forEach((step, i) => {
    const first = ids.get(step.id);
    if (first === undefined) ids.set(step.id, i);
    else report(['steps', i, 'id'], `duplicate step id '${step.id}' (also steps[${first}])`);
  });
  playbook.steps.forEach((step, i) => {
    step.after.forEach((dependency, j) => {
      const path = ['steps', i, 'after', j];
      if (dependency === step.id) report(path, 'a step cannot wait for itself');
      else if (!ids.has(dependency)) report(path, `no step '${dependency}' in this playbook`);
      else if (step.after.indexOf(dependency) !== j) report(path, `'${dependency}' is listed twice`);
    });
  });
  const order = topologicalOrder(
    playbook.steps.map((s) => ({ id: s.id, after: s.after.filter((d) => d !== s.id) })),
  );
  if (!order.ok) {
    const first = ids.get(order.cycle[0] ?? '') ?? 0;
    report(['steps', first, 'after'], `steps wait for each other in a cycle: ${order.cycle.join(' → ')}`);
  }
}

function checkForEach(dimensions: readonly Dimension[], path: Path, report: Report): void {
  dimensions.forEach((dimension, j) => {
    if (dimensions.indexOf(dimension) !== j) report([...path, j], `'${dimension}' is listed twice`);
  });
}

function checkCondition(
  when: StepCondition | undefined,
  dimensions: readonly Dimension[],
  path: Path,
  report: Report,
): void {
  if (when?.userTypes && !dimensions.includes('principal')) {
    report([...path, 'userTypes'], "needs 'forEach: principal' (it tests the step's IAM principal)");
  }
}

/** Reports unknown variables and variables whose fan-out the step does not declare. */
function checkTemplates(
  value: unknown,
  dimensions: readonly Dimension[],
  path: Path,
  report: Report,
): boolean {
  let ok = true;
  for (const reference of templateReferences(value)) {
    const variable = variableOf(reference.name);
    const at = [...path, ...reference.path];
    if (!variable) {
      report(at, `unknown variable '\${${reference.name}}'`);
      ok = false;
    } else if (variable.dimension && !dimensions.includes(variable.dimension)) {
      report(at, `'\${${reference.name}}' needs 'forEach: ${variable.dimension}'`);
      ok = false;
    }
  }
  return ok;
}

/**
 * Renders the params with sample values and parses them with the action's contracts schema. Why at
 * load: a playbook that would build commands the workers reject is caught before any incident.
 */
function checkParams(
  action: PlaybookAction,
  params: Record<string, unknown>,
  path: Path,
  report: Report,
): void {
  const rendered = renderTemplate(params, (name) => variableOf(name)?.sample);
  if (!rendered.ok) return;
  const input = withAudience(action, rendered.value as Record<string, unknown>, 'team');
  const parsed = paramsSchemaOf(action).safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      report(
        [...path, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))],
        `${action}: ${issue.message}`,
      );
    }
    return;
  }
  for (const key of Object.keys(input)) {
    if (!(key in parsed.data)) report([...path, key], `${action} has no parameter '${key}'`);
  }
}
