import { type Finding, issuesFromZod, type SeverityBand } from '@ir/contracts';
import { isContainment, paramsSchemaOf, queueOf, sealsEvidence } from './actions.js';
import { conditionHolds } from './conditions.js';
import { type Dimension, type DimensionItems, itemsOf, type KeyedItem } from './dimensions.js';
import { PlaybookError } from './errors.js';
import { topologicalOrder } from './graph.js';
import { withAudience } from './notify-params.js';
import type { IncidentPlan, OmittedStep, PlannedStep } from './plan.js';
import type { PlaybookNote, PlaybookStep } from './playbook-shape.js';
import type { Playbook } from './schema.js';
import { selectPlaybook } from './select.js';
import { renderTemplate } from './template.js';
import { type PlanContext, variableOf } from './variables.js';

/** Options of {@link planIncident}. */
export interface PlanOptions {
  /**
   * The band detection classified the incident as (`incident.opened`'s `severityBand`); defaults to
   * the finding's own band.
   */
  readonly severityBand?: SeverityBand;
}

/** One fan-out of a playbook step, planned or not; `effective` is what a dependent waits for instead. */
interface Instance {
  readonly keys: Partial<Record<Dimension, string>>;
  readonly stepId?: string;
  readonly effective: readonly string[];
}

/**
 * Dimensions whose absence is worth telling a person about. Why only these: a finding without a
 * bucket simply has no bucket step (generic fans out over every kind), but an instance without a
 * subnet id, or a network finding without a remote IP, leaves a containment undone.
 */
const reportedWhenEmpty: ReadonlySet<Dimension> = new Set(['subnet', 'remoteIp']);

const dimensionWords: Record<Dimension, string> = {
  instance: 'EC2 instance',
  principal: 'IAM principal',
  bucket: 'S3 bucket',
  other: 'other resource',
  subnet: 'subnet (no ENI with a subnet id)',
  remoteIp: 'remote IP',
  securityGroup: 'security group',
  rdsDatabase: 'RDS database',
  s3Object: 'S3 object',
  lambdaFunction: 'Lambda function',
  ecsTask: 'ECS task',
  eksCluster: 'EKS cluster',
  eksWorkload: 'EKS workload',
  eksNode: 'EKS node (the EC2 instance a pod runs on)',
};

/**
 * Plans the response to a finding: selects the playbook (see `selectPlaybook`) and turns it into a
 * DAG of steps. Pure and deterministic: the same finding and playbooks give the same plan, whatever
 * the order of the finding's resources. Throws {@link PlaybookError} only when no playbook matches.
 */
export function planIncident(
  finding: Finding,
  playbooks: readonly Playbook[],
  options: PlanOptions = {},
): IncidentPlan {
  const band = options.severityBand ?? finding.severity.band;
  return planWithPlaybook(finding, selectPlaybook(finding, playbooks, { severityBand: band }), {
    severityBand: band,
  });
}

/**
 * Plans a finding with a given playbook (e.g. an operator's choice in the CLI). Steps whose `when:`
 * does not hold are left out; steps that apply but lack data are left out and listed in `omitted`.
 * A step that waits for a left-out step waits for what that step waited for instead, so ordering
 * (evidence before containment) survives any omission.
 */
export function planWithPlaybook(
  finding: Finding,
  playbook: Playbook,
  options: PlanOptions = {},
): IncidentPlan {
  const band = options.severityBand ?? finding.severity.band;
  const base: Omit<PlanContext, 'items'> = {
    finding,
    band,
    audience: playbook.audience[band],
    playbookId: playbook.id,
  };
  const order = topologicalOrder(playbook.steps);
  if (!order.ok) {
    throw new PlaybookError(`steps wait for each other in a cycle: ${order.cycle.join(' → ')}`, {
      file: sourceOf(playbook),
      path: 'steps',
    });
  }
  const instances = new Map<string, Instance[]>();
  const steps: PlannedStep[] = [];
  const omitted: OmittedStep[] = [];
  for (const index of order.order) {
    const step = playbook.steps[index] as PlaybookStep;
    const planned: Instance[] = [];
    for (const fanOut of fanOuts(finding, step.forEach ?? [])) {
      const context: PlanContext = { ...base, items: fanOut.items };
      const after = dependencies(step.after, fanOut.keys, instances);
      const stepId = fanOut.suffix === undefined ? step.id : `${step.id}:${fanOut.suffix}`;
      const outcome =
        step.requiresAfter && !anyPlanned(step.after, fanOut.keys, instances)
          ? ({ kind: 'not-applicable' } as const)
          : planStep(step, playbook, context, fanOut, stepId, after);
      if (outcome.kind === 'planned') steps.push(outcome.step);
      if (outcome.kind === 'omitted') omitted.push({ stepId, action: step.action, reason: outcome.reason });
      planned.push(
        outcome.kind === 'planned'
          ? { keys: fanOut.keys, stepId, effective: [stepId] }
          : { keys: fanOut.keys, effective: after },
      );
    }
    instances.set(step.id, planned);
  }
  assertUniqueStepIds(steps, playbook);
  return {
    playbookId: playbook.id,
    severityBand: band,
    steps,
    notes: planNotes(playbook.notes, finding, base),
    omitted,
  };
}

type StepOutcome =
  | { kind: 'planned'; step: PlannedStep }
  | { kind: 'omitted'; reason: string }
  | { kind: 'not-applicable' };

function planStep(
  step: PlaybookStep,
  playbook: Playbook,
  context: PlanContext,
  fanOut: FanOut,
  stepId: string,
  after: readonly string[],
): StepOutcome {
  if (fanOut.missing !== undefined) {
    return reportedWhenEmpty.has(fanOut.missing) && conditionHolds(step.when, context, false)
      ? { kind: 'omitted', reason: `the finding names no ${dimensionWords[fanOut.missing]}` }
      : { kind: 'not-applicable' };
  }
  if (!conditionHolds(step.when, context)) return { kind: 'not-applicable' };
  const rendered = renderTemplate(step.params, (name) => variableOf(name)?.get(context));
  if (!rendered.ok) {
    return {
      kind: 'omitted',
      reason: `${step.action} needs ${rendered.missing}, which the finding does not give`,
    };
  }
  const input = withAudience(step.action, rendered.value as Record<string, unknown>, context.audience);
  const parsed = paramsSchemaOf(step.action).safeParse(input);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, ['params']).map((i) => `${i.path}: ${i.message}`);
    return {
      kind: 'omitted',
      reason: `${step.action} cannot be built from this finding (${issues.join('; ')})`,
    };
  }
  return {
    kind: 'planned',
    step: {
      stepId,
      action: step.action,
      queue: queueOf(step.action),
      params: parsed.data,
      target: { accountId: context.finding.accountId, region: targetRegion(context) },
      after,
      approval: step.approval,
      approvers: step.approvers,
      timeoutSeconds: step.timeoutSeconds ?? playbook.defaultTimeoutSeconds,
      containment: isContainment(step.action),
      sealsEvidence: sealsEvidence(step.action),
    },
  };
}

/**
 * Where a step acts: the region of the instance or bucket it fans out over (one incident may name
 * resources in several regions, each handled in its own), else the finding's region.
 */
export function targetRegion(context: PlanContext): string {
  return (
    context.items.instance?.region ??
    context.items.bucket?.region ??
    context.items.s3Object?.region ??
    context.items.subnet?.region ??
    context.items.securityGroup?.region ??
    context.items.rdsDatabase?.region ??
    context.items.lambdaFunction?.region ??
    context.items.ecsTask?.region ??
    context.finding.region
  );
}

/** One combination of fan-out items; `missing` names a dimension that has no item at all. */
interface FanOut {
  readonly items: PlanContext['items'];
  readonly keys: Partial<Record<Dimension, string>>;
  readonly suffix?: string;
  readonly missing?: Dimension;
}

function fanOuts(finding: Finding, dimensions: readonly Dimension[]): FanOut[] {
  let combos: FanOut[] = [{ items: {}, keys: {} }];
  for (const dimension of dimensions) {
    const items: KeyedItem[] = itemsOf(finding, dimension);
    if (items.length === 0) return [{ items: {}, keys: {}, missing: dimension }];
    combos = combos.flatMap((combo) =>
      items.map((item) => ({
        items: { ...combo.items, [dimension]: item.value as DimensionItems[typeof dimension] },
        keys: { ...combo.keys, [dimension]: item.key },
        suffix: combo.suffix === undefined ? item.key : `${combo.suffix}:${item.key}`,
      })),
    );
  }
  return combos;
}

/**
 * What a fan-out waits for: each dependency's instances for the same items (on the dimensions both
 * fan out over), or all of them; a left-out instance stands for what it waited for.
 */
function dependencies(
  after: readonly string[],
  keys: Partial<Record<Dimension, string>>,
  instances: ReadonlyMap<string, Instance[]>,
): string[] {
  const ids = new Set<string>();
  for (const dependency of after) {
    for (const instance of instances.get(dependency) ?? []) {
      if (!correlated(keys, instance.keys)) continue;
      for (const id of instance.effective) ids.add(id);
    }
  }
  return [...ids].sort();
}

function anyPlanned(
  after: readonly string[],
  keys: Partial<Record<Dimension, string>>,
  instances: ReadonlyMap<string, Instance[]>,
): boolean {
  return after.some((dependency) =>
    (instances.get(dependency) ?? []).some(
      (instance) => instance.stepId !== undefined && correlated(keys, instance.keys),
    ),
  );
}

function correlated(a: Partial<Record<Dimension, string>>, b: Partial<Record<Dimension, string>>): boolean {
  return Object.entries(a).every(([dimension, key]) => {
    const other = b[dimension as Dimension];
    return other === undefined || other === key;
  });
}

function planNotes(
  notes: readonly PlaybookNote[],
  finding: Finding,
  base: Omit<PlanContext, 'items'>,
): string[] {
  const out: string[] = [];
  for (const note of notes) {
    for (const fanOut of fanOuts(finding, note.forEach ?? [])) {
      if (fanOut.missing !== undefined) continue;
      const context: PlanContext = { ...base, items: fanOut.items };
      if (!conditionHolds(note.when, context)) continue;
      const rendered = renderTemplate(note.text, (name) => variableOf(name)?.get(context));
      if (rendered.ok && typeof rendered.value === 'string' && !out.includes(rendered.value))
        out.push(rendered.value);
    }
  }
  return out;
}

function assertUniqueStepIds(steps: readonly PlannedStep[], playbook: Playbook): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.stepId)) {
      throw new PlaybookError(`two planned steps share the id '${step.stepId}' (fan-out keys collide)`, {
        file: sourceOf(playbook),
        path: 'steps',
      });
    }
    seen.add(step.stepId);
  }
}

/** The file a playbook came from, or `<playbook id>` when it was not loaded from a file. */
export function sourceOf(playbook: Playbook): string {
  return playbook.source ?? `<playbook ${playbook.id}>`;
}
