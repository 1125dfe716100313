import type {
  Disposition,
  FindingSyncItem,
  FindingSyncPhase,
  FindingWorkflowStatus,
  IncidentRecord,
  PayloadOf,
  StepRecord,
} from '@ir/contracts';
import type { Draft, FindingSyncSettings } from './draft.js';

/** The action that marks the incident's findings at their source (Security Hub, GuardDuty). */
export const FINDING_SYNC_ACTION = 'notify.finding-workflow';

/** Security Hub's limit on `Note.Text` and on v2's `Comment`. */
const NOTE_LIMIT = 512;

/**
 * The Security Hub workflow status a disposition means. RESOLVED: the activity was real and dealt
 * with (a duplicate is dealt with by the incident it duplicates; the note says so). SUPPRESSED: no
 * action was needed (the detector was wrong, or the activity was expected).
 */
export const workflowStatusOf: Readonly<Record<Disposition, FindingWorkflowStatus>> = {
  'true-positive': 'RESOLVED',
  duplicate: 'RESOLVED',
  'false-positive': 'SUPPRESSED',
  'benign-true-positive': 'SUPPRESSED',
};

/**
 * True for a step whose failure is reported but never needs attention nor holds the incident open.
 * Why the finding sync is one: it only mirrors our decision into Security Hub and GuardDuty; the
 * response (evidence, containment, notifications) does not depend on it, and an incident must not sit
 * in `needs-attention` or stay unfinished because a finding could not be marked. Its failure still
 * shows as `step-failed` on the timeline and in `ir_steps_total{outcome="failed"}`.
 */
export function isAdvisoryStep(step: Pick<StepRecord, 'action'>): boolean {
  return step.action === FINDING_SYNC_ACTION;
}

/**
 * Adds the step that marks the incident's findings at their source: on `opened`, Security Hub
 * NOTIFIED with a note naming the incident; on `resolved`, RESOLVED or SUPPRESSED by the disposition,
 * and (when configured) the GuardDuty findings of a false positive archived. Only when
 * `IR_FINDING_SYNC=on` and some finding has a workflow to mark. The step id is `finding-sync:<phase>`,
 * so a replayed event adds it once; it has no dependencies and nothing depends on it, so it never
 * holds up containment. Returns whether a step was added.
 */
export function addFindingSyncStep(draft: Draft, phase: FindingSyncPhase): boolean {
  const settings = draft.context.settings.findingSync;
  if (!settings) return false;
  const incident = draft.incident;
  const findings: FindingSyncItem[] = incident.findings.flatMap((ref) =>
    ref.workflow ? [{ source: ref.source, id: ref.id, ...ref.workflow }] : [],
  );
  if (findings.length === 0) return false;
  const decision = decisionFor(incident, phase, settings);
  if (!decision) return false;
  const params: PayloadOf<'notify.finding-workflow'>['params'] = {
    phase,
    workflowStatus: decision.status,
    note: noteText(decision.note, incidentLink(incident.incidentId, settings)),
    noteUpdatedBy: decision.updatedBy,
    findings: findings.slice(0, 100),
    archiveGuardDuty: decision.archive,
  };
  return draft.addCoordinatorStep({
    stepId: `finding-sync:${phase}`,
    action: FINDING_SYNC_ACTION,
    queue: 'notifier',
    params,
    target: incident.target,
    timeoutSeconds: draft.context.settings.notifyTimeoutSeconds,
  });
}

interface SyncDecision {
  readonly status: FindingWorkflowStatus;
  readonly note: string;
  readonly updatedBy: string;
  readonly archive: boolean;
}

function decisionFor(
  incident: IncidentRecord,
  phase: FindingSyncPhase,
  settings: FindingSyncSettings,
): SyncDecision | undefined {
  const responder = 'automated incident response';
  if (phase === 'opened') {
    return {
      status: 'NOTIFIED',
      note: `Incident ${incident.incidentId} opened by ${responder} (playbook ${incident.playbookId}${incident.dryRun ? ', dry run' : ''}): ${incident.summary}`,
      updatedBy: responder,
      archive: false,
    };
  }
  // Resolved before dispositions existed: nothing says whether the finding was real, so it is left.
  const decided = incident.disposition;
  if (!decided) return undefined;
  const as =
    decided.disposition === 'duplicate'
      ? 'a duplicate of another incident'
      : `${decided.disposition} (${decided.category})`;
  return {
    status: workflowStatusOf[decided.disposition],
    note: `Incident ${incident.incidentId} resolved as ${as} by ${decided.decidedBy}`,
    updatedBy: decided.decidedBy.slice(0, NOTE_LIMIT),
    archive: decided.disposition === 'false-positive' && settings.archiveGuardDutyFalsePositives,
  };
}

/** The incident's console page when the console has a public address, else how to look it up. */
function incidentLink(incidentId: string, settings: FindingSyncSettings): string {
  if (settings.consoleUrl)
    return `${settings.consoleUrl}/console/incidents/${encodeURIComponent(incidentId)}`;
  return `irctl show ${incidentId}`;
}

/** `text` and the link within Security Hub's limit; the text is cut, never the link. */
function noteText(text: string, link: string): string {
  const tail = ` | ${link}`;
  const room = NOTE_LIMIT - tail.length;
  const body = text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
  return `${body}${tail}`.slice(0, NOTE_LIMIT);
}
