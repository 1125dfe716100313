import { compareBands, type MessageOf, resourceKey } from '@ir/contracts';
import { errorMessage } from '@ir/runtime';
import { type DecisionContext, Draft } from './draft.js';
import { findingRef, protectedResources } from './open.js';
import { addPlannedSteps, type Planner, planNotes } from './plan-steps.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { planJoinedResources, reportUnplannedResources } from './sequence-resources.js';
import type { IncidentAggregate } from '../model.js';

const closed = new Set(['resolved', 'rolling-back', 'rolled-back']);

/**
 * A finding for the incident arrived again or was attached. It is recorded; an attack sequence's
 * resources the incident does not have yet are planned (`planJoinedResources`); if its severity band
 * is higher than the incident's, the incident is planned again and the steps the higher band adds are
 * merged in (step ids are deterministic, so steps already planned are not added twice).
 */
export function incidentUpdated(
  aggregate: IncidentAggregate,
  message: MessageOf<'incident.updated'>,
  planner: Planner,
  context: DecisionContext,
): Draft {
  const draft = new Draft(aggregate, context);
  const { finding, receivedAt, reason } = message.payload;
  const incident = draft.incident;
  const known = incident.findings.find((ref) => ref.source === finding.source && ref.id === finding.id);
  if (known && Date.parse(known.updatedAt) >= Date.parse(finding.updatedAt) && known.count >= finding.count) {
    return draft;
  }
  const ref = findingRef(finding, receivedAt);
  const resources = [...incident.resources];
  for (const resource of finding.resources) {
    const key = resourceKey(resource);
    if (!resources.some((r) => r.accountId === finding.accountId && r.key === key)) {
      resources.push({ accountId: finding.accountId, key });
    }
  }
  const protectedNow = protectedResources(finding, context.settings.protectedTag);
  draft.updateIncident({
    findings: known ? incident.findings.map((f) => (f === known ? ref : f)) : [...incident.findings, ref],
    resources,
    protectedResources: [...new Set([...incident.protectedResources, ...protectedNow])],
  });
  draft.findings.push(finding);
  draft.record(`finding-${reason}`, {
    findingId: finding.id,
    count: finding.count,
    band: finding.severity.band,
  });
  if (closed.has(incident.status)) reportUnplannedResources(draft, finding, incident.resources);
  else planJoinedResources(draft, finding, incident.resources, planner);
  if (compareBands(finding.severity.band, incident.severityBand) > 0 && !closed.has(incident.status)) {
    escalate(draft, message, planner);
  }
  return dispatchAndSettle(draft);
}

function escalate(draft: Draft, message: MessageOf<'incident.updated'>, planner: Planner): void {
  const { finding } = message.payload;
  const from = draft.incident.severityBand;
  let plan: ReturnType<Planner>;
  try {
    plan = planner(finding, finding.severity.band);
  } catch (error: unknown) {
    draft.record('replan-failed', { error: errorMessage(error) });
    return;
  }
  if (plan.playbookId !== draft.incident.playbookId) {
    draft.record('replan-skipped', {
      reason: `the finding now selects playbook ${plan.playbookId}, not ${draft.incident.playbookId}`,
    });
    return;
  }
  const added = addPlannedSteps(draft, plan.steps);
  draft.updateIncident({
    severityBand: finding.severity.band,
    notes: [...new Set([...draft.incident.notes, ...planNotes(plan)])],
  });
  if (draft.incident.status === 'completed') draft.setStatus('open');
  draft.record('severity-raised', { from, to: finding.severity.band, addedSteps: added });
}
