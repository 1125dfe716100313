import { compareBands, type Finding, type IncidentRecord, resourceKey } from '@ir/contracts';
import type { PlannedStep } from '@ir/playbooks';
import { errorMessage } from '@ir/runtime';
import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { addPlannedSteps, type Planner, planNotes } from './plan-steps.js';

/**
 * An attack sequence (`AttackSequence:*`) joined an incident already open about one of its
 * resources (detection coalesces a sequence on every resource it names), or a re-emitted sequence
 * names resources its earlier versions did not. The resources the incident does not have yet are
 * planned now, as a finding of their own at the higher of the two bands, so each is contained by its
 * own step, as if the sequence had opened the incident. The resources the incident already has keep
 * the steps they were planned with.
 *
 * The steps are added under the prefix `join-<n>.` (`n`: how many resources the incident had before),
 * so they never collide with the incident's own steps or an earlier join's (`seal-evidence` then
 * seals the new evidence too), and a redelivery plans the same ids. The plan's `opened` notice is left out: the
 * incident was announced when it opened. Returns the ids added.
 */
export function planJoinedResources(
  draft: Draft,
  finding: Finding,
  known: IncidentRecord['resources'],
  planner: Planner,
): string[] {
  const joined = newResources(finding, known);
  if (!finding.sequence || joined.length === 0) return [];
  const incident = draft.incident;
  const band =
    compareBands(finding.severity.band, incident.severityBand) > 0
      ? finding.severity.band
      : incident.severityBand;
  let plan: ReturnType<Planner>;
  try {
    plan = planner({ ...finding, resources: joined }, band);
  } catch (error: unknown) {
    draft.record('replan-failed', { findingId: finding.id, error: errorMessage(error) });
    return [];
  }
  const prefix = `join-${known.length}.`;
  const steps = plan.steps.filter((step) => !isOpenedNotice(step)).map((step) => prefixed(step, prefix));
  const retained = new Set(steps.map((step) => step.stepId));
  const added = addPlannedSteps(
    draft,
    steps.map((step) => ({ ...step, after: step.after.filter((id) => retained.has(id)) })),
  );
  draft.updateIncident({ notes: [...new Set([...incident.notes, ...planNotes(plan)])] });
  for (const omitted of plan.omitted) {
    draft.record(
      'step-omitted',
      { action: omitted.action, reason: omitted.reason },
      `${prefix}${omitted.stepId}`,
    );
  }
  draft.record('sequence-resources-planned', {
    findingId: finding.id,
    playbookId: plan.playbookId,
    band,
    resources: joined.map(resourceKey),
    addedSteps: added,
  });
  if (added.length > 0 && draft.incident.status === 'completed') draft.setStatus('open');
  return added;
}

/**
 * An attack sequence joined an incident that is already resolved or rolled back (its resources'
 * coalescing window was still open): nothing is planned for the resources it brings, because a
 * person closed that incident. Silence would leave them uncontained unnoticed (TRAPS 16), so the
 * timeline records them and a notice asks a person to decide (paging for a CRITICAL sequence).
 */
export function reportUnplannedResources(
  draft: Draft,
  finding: Finding,
  known: IncidentRecord['resources'],
): void {
  const joined = newResources(finding, known).map(resourceKey);
  if (!finding.sequence || joined.length === 0) return;
  const { incidentId, status } = draft.incident;
  draft.record('sequence-resources-not-planned', { findingId: finding.id, status, resources: joined });
  raiseNotification(
    draft,
    `sequence-not-planned:${finding.id}`,
    'approval-needed',
    `Attack sequence ${finding.type} joined incident ${incidentId}, which is ${status}: the ${joined.length} resource(s) it brings were not contained (${joined.slice(0, 5).join(', ')}${joined.length > 5 ? ', ...' : ''}); a person must decide`,
    { details: { findingType: finding.type, resources: joined }, page: finding.severity.band === 'CRITICAL' },
  );
}

/** The finding's resources the incident does not have yet. */
function newResources(finding: Finding, known: IncidentRecord['resources']): Finding['resources'] {
  const knownKeys = new Set(known.filter((r) => r.accountId === finding.accountId).map((r) => r.key));
  return finding.resources.filter((resource) => !knownKeys.has(resourceKey(resource)));
}

function isOpenedNotice(step: PlannedStep): boolean {
  return step.action === 'notify.incident' && step.params.stage === 'opened';
}

function prefixed(step: PlannedStep, prefix: string): PlannedStep {
  return { ...step, stepId: `${prefix}${step.stepId}`, after: step.after.map((id) => `${prefix}${id}`) };
}
