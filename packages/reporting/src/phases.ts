import type { ReportInput, ReportStepInput } from './report-input.js';
import type { NistPhaseId, ReportPhase } from '@ir/contracts';

/** Human names of the NIST SP 800-61 phases, in order. */
export const NIST_PHASE_NAMES: Readonly<Record<NistPhaseId, string>> = {
  'detection-and-analysis': 'Detection & Analysis',
  containment: 'Containment',
  'eradication-and-recovery': 'Eradication & Recovery',
  'post-incident-activity': 'Post-Incident Activity',
};

/**
 * Actions that change a resource's configuration for good rather than cut it off (re-enabling
 * CloudTrail logging, removing an admin-port ingress rule): remediation, so Eradication & Recovery.
 */
export const REMEDIATION_ACTIONS: ReadonlySet<string> = new Set([
  'contain.cloudtrail-logging',
  'contain.security-group-ingress',
]);

/** Statuses that mean the step's work was done (a rolled-back step had succeeded first). */
const DONE = new Set(['succeeded', 'rolled-back']);

const earliest = (times: readonly (string | undefined)[]): string | null =>
  times.filter((time): time is string => time !== undefined).sort()[0] ?? null;

const phase = (id: NistPhaseId, reached: boolean, at: string | null, basis: string[]): ReportPhase => ({
  phase: id,
  name: NIST_PHASE_NAMES[id],
  reached,
  at: reached ? at : null,
  basis,
});

const isRemediation = (step: ReportStepInput) => REMEDIATION_ACTIONS.has(step.action);

/**
 * The NIST SP 800-61 phases the incident went through, derived from what happened (never from the
 * playbook's intent):
 * - Detection & Analysis: always, from the first finding's receipt (the incident exists).
 * - Containment: a containment step succeeded (in a dry run nothing is contained: not reached).
 * - Eradication & Recovery: a remediation or rollback step succeeded, or a person resolved it.
 * - Post-Incident Activity: the incident was resolved (this report is part of it).
 */
export function nistPhases(input: ReportInput): ReportPhase[] {
  const { incident, steps } = input;
  const findingCount = incident.findings.length;
  const detection = phase('detection-and-analysis', true, incident.receivedAt, [
    `${findingCount} finding(s) received; first at ${incident.receivedAt}`,
    `incident opened at ${incident.openedAt} with playbook ${incident.playbookId} (severity ${incident.severityBand})`,
  ]);

  const containments = steps.filter((s) => s.containment && !isRemediation(s) && DONE.has(s.status));
  const containment = incident.dryRun
    ? phase('containment', false, null, ['dry run: nothing was contained'])
    : phase(
        'containment',
        containments.length > 0,
        incident.firstContainedAt ?? earliest(containments.map((s) => s.completedAt)),
        containments.length > 0
          ? containments.map((s) => `${s.action} succeeded (step ${s.stepId})`)
          : ['no containment step succeeded'],
      );

  const remediations = steps.filter((s) => isRemediation(s) && DONE.has(s.status));
  const rollbacks = steps.filter((s) => s.origin === 'rollback' && s.status === 'succeeded');
  const recoveryBasis = [
    ...remediations.map((s) => `remediation ${s.action} succeeded (step ${s.stepId})`),
    ...rollbacks.map((s) => `rollback ${s.action} succeeded (step ${s.stepId})`),
    ...(incident.resolvedAt
      ? [`resolved by ${incident.resolvedBy ?? 'an operator'} at ${incident.resolvedAt}`]
      : []),
  ];
  const recovery = phase(
    'eradication-and-recovery',
    recoveryBasis.length > 0 && !incident.dryRun,
    earliest([
      ...remediations.map((s) => s.completedAt),
      ...rollbacks.map((s) => s.completedAt),
      incident.resolvedAt,
    ]),
    incident.dryRun
      ? ['dry run: nothing was changed']
      : recoveryBasis.length > 0
        ? recoveryBasis
        : ['not resolved yet'],
  );

  const post = phase(
    'post-incident-activity',
    incident.resolvedAt !== undefined,
    incident.resolvedAt ?? null,
    incident.resolvedAt
      ? [`incident resolved at ${incident.resolvedAt}; this report records it`]
      : ['not resolved yet'],
  );
  return [detection, containment, recovery, post];
}
