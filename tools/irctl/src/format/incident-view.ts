import { evidenceActions, type OperatorIdentity } from '@ir/contracts';
import type { IncidentDetailView, StepView } from '../api-client.js';
import { renderTable } from './table.js';
import { compact, printable } from './text.js';

/** Steps whose results are evidence, listed under the step table. */
const EVIDENCE_ACTIONS: ReadonlySet<string> = new Set(evidenceActions);

/** Seconds from `from` to `to` (ISO times), one decimal; undefined when either is missing. */
export function secondsBetween(from: string | undefined, to: string | undefined): string | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : undefined;
}

/**
 * A person as irctl shows them: the label and, when recorded, the identity that proves who it was,
 * `Name <email> (issuer, subject)`.
 */
export function personLabel(label: string, actor: OperatorIdentity | undefined): string {
  return actor ? `${label} (${actor.issuer}, ${actor.subject})` : label;
}

/** Who asked for a step: a rollback's requester, or the first of two approvers. */
function requesterOf(step: StepView): string | undefined {
  const first = (step.approvalsRequired ?? 1) > 1 ? step.approvals?.[0] : undefined;
  const requester = step.requestedBy ?? first;
  return requester ? personLabel(requester.by, requester.actor) : undefined;
}

/** Why a step is where it is, in a few words: failure, skip reason, holds, or who decided. */
export function stepDetail(step: StepView): string {
  if (step.failure)
    return `${step.failure.errorName ? `${step.failure.errorName}: ` : ''}${step.failure.reason}`;
  if (step.skipReason && !step.rejectedBy) return step.skipReason;
  const requester = requesterOf(step);
  const requested = requester ? `, requested by ${requester}` : '';
  if (step.status === 'awaiting-approval') {
    const holds = `held: ${(step.holdReasons ?? []).join(', ') || 'approval'}`;
    const approvals = step.approvals ?? [];
    if ((step.approvalsRequired ?? 1) > 1 && approvals[0])
      return `${holds}; approved by ${personLabel(approvals[0].by, approvals[0].actor)}, needs a second, different approver`;
    if (step.requestedBy)
      return `${holds}; needs an approver other than ${personLabel(step.requestedBy.by, step.requestedBy.actor)}`;
    return (step.approvalsRequired ?? 1) > 1 ? `${holds}; needs two different approvers` : holds;
  }
  if (step.approvedBy)
    return `approved by ${personLabel(step.approvedBy, step.approvedByActor)}${requested}${step.decisionReason ? `: ${step.decisionReason}` : ''}`;
  if (step.rejectedBy)
    return `rejected by ${personLabel(step.rejectedBy, step.rejectedByActor)}${requested}${step.decisionReason ? `: ${step.decisionReason}` : ''}`;
  if (step.rollbackOf) return `undoes ${step.rollbackOf}`;
  return '';
}

/**
 * `irctl show` as text: the incident's facts (with time to contain and to seal evidence), its steps,
 * the evidence steps' results, the pre-containment state kept for rollback, and the timeline.
 */
export function renderIncident(view: IncidentDetailView): string {
  const { incident, steps, timeline } = view;
  const lines = [
    `incident ${printable(incident.incidentId)}  ${incident.status}${incident.dryRun ? '  (dry-run)' : ''}`,
    `  playbook ${printable(incident.playbookId)}, severity ${incident.severityBand}${incident.target ? `, account ${incident.target.accountId} ${incident.target.region}` : ''}`,
    `  summary  ${printable(incident.summary)}`,
    `  received ${incident.receivedAt ?? '-'}  opened ${incident.openedAt}`,
  ];
  const contained = secondsBetween(incident.receivedAt, incident.firstContainedAt);
  const sealed = secondsBetween(incident.receivedAt, incident.evidenceSealedAt);
  if (contained) lines.push(`  contained ${incident.firstContainedAt} (${contained} after receipt)`);
  if (sealed) lines.push(`  evidence sealed ${incident.evidenceSealedAt} (${sealed} after receipt)`);
  if (incident.rollbackRequestedBy)
    lines.push(
      `  rollback requested by ${printable(personLabel(incident.rollbackRequestedBy, incident.rollbackRequestedByActor))}`,
    );
  if (incident.resolvedAt)
    lines.push(
      `  resolved ${incident.resolvedAt} by ${printable(personLabel(incident.resolvedBy ?? '?', incident.resolvedByActor))}`,
    );
  for (const note of incident.notes ?? []) lines.push(`  note: ${printable(note)}`);
  for (const finding of incident.findings ?? [])
    lines.push(`  finding ${printable(finding.id)} ${printable(finding.type)}`);

  lines.push('', 'steps:');
  lines.push(
    indent(
      renderTable(
        [
          { heading: 'STEP', max: 48 },
          { heading: 'ACTION' },
          { heading: 'STATUS' },
          { heading: 'DETAIL', max: 90 },
        ],
        steps.map((step) => [step.stepId, step.action, step.status, stepDetail(step)]),
      ),
    ),
  );
  const evidence = steps.filter((step) => EVIDENCE_ACTIONS.has(step.action) && step.result);
  if (evidence.length > 0) {
    lines.push('', 'evidence:');
    for (const step of evidence) lines.push(`  ${printable(step.stepId)}: ${compact(step.result, 300)}`);
  }
  const preState = steps.filter((step) => step.preState && Object.keys(step.preState).length > 0);
  if (preState.length > 0) {
    lines.push('', 'pre-state (what rollback restores):');
    for (const step of preState) lines.push(`  ${printable(step.stepId)}: ${compact(step.preState, 300)}`);
  }
  lines.push('', 'timeline:');
  lines.push(
    indent(
      renderTable(
        [
          { heading: 'AT' },
          { heading: 'EVENT' },
          { heading: 'STEP', max: 48 },
          { heading: 'DETAIL', max: 120 },
        ],
        timeline.map((entry) => [entry.at, entry.kind, entry.stepId ?? '', compact(entry.detail, 120)]),
      ),
    ),
  );
  return lines.join('\n');
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
