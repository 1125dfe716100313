import { escapeMarkdown as e, markdownTable } from './markdown-escape.js';
import type { IncidentReport, ReportPerson, ReportStep } from '@ir/contracts';

const DETAIL_MAX = 300;

const duration = (value: number | null): string => {
  if (value === null) return 'n/a';
  if (value < 120) return `${value.toFixed(1)} s`;
  return `${(value / 60).toFixed(1)} min (${Math.round(value)} s)`;
};

const compact = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text;
};

/**
 * A person as people read them: `Name <email> (issuer, subject)`, the identity that proves who it
 * was; the label alone when none was recorded (older decisions, a policy).
 */
export const personText = (who: ReportPerson | null | undefined, fallback = 'unknown'): string => {
  if (!who) return fallback;
  return who.issuer && who.subject ? `${who.by} (${who.issuer}, ${who.subject})` : who.by;
};

const requestedText = (requestedBy: ReportPerson | null) =>
  requestedBy ? `, requested by ${personText(requestedBy)}` : '';

const approvalCell = (step: ReportStep): string => {
  const { approval } = step;
  const reason = approval.reason ? `: ${approval.reason}` : '';
  if (approval.approvedBy) {
    const approver = personText(approval.approver, approval.approvedBy);
    return `approved by ${approver}${requestedText(approval.requestedBy)}${reason}`;
  }
  if (approval.rejectedBy) {
    const rejecter = personText(approval.rejecter, approval.rejectedBy);
    return `rejected by ${rejecter}${requestedText(approval.requestedBy)}${reason}`;
  }
  if (approval.holdReasons.length > 0) {
    const first = approval.approvals[0];
    const waiting =
      approval.approvalsRequired > 1 || approval.requestedBy
        ? first
          ? `; approved by ${personText(first)}, waits for a second, different approver`
          : approval.requestedBy
            ? `; waits for an approver other than ${personText(approval.requestedBy)}`
            : '; needs two different approvers'
        : '';
    return `held: ${approval.holdReasons.join(', ')}${waiting}`;
  }
  return approval.required ? 'required' : 'automatic';
};

function section(title: string, body: readonly string[]): string {
  return [`## ${title}`, '', ...body, ''].join('\n');
}

/**
 * Renders the report as Markdown for people: every value that came from outside (finding titles,
 * reasons, operator names, timeline details) goes through {@link e} so it cannot inject markup.
 * The JSON report stays the reference; this is a view of it.
 */
export function renderMarkdown(report: IncidentReport): string {
  const { incident, metrics, verification } = report;
  const parts: string[] = [
    `# Incident report: ${e(incident.incidentId)}`,
    '',
    `Report version ${report.reportVersion}, generated at ${e(report.generatedAt)} by ${e(report.generatedBy)}.`,
    '',
  ];
  if (incident.dryRun) parts.push('**DRY RUN: no AWS resource was changed for this incident.**', '');

  parts.push(
    section('Summary', [
      e(report.summary.text),
      '',
      markdownTable(
        ['Fact', 'Value'],
        [
          ['Status', incident.status],
          ['Severity', incident.severityBand],
          ['Playbook', incident.playbookId],
          ['Account / region', `${incident.target.accountId} / ${incident.target.region}`],
          ['Finding received', incident.receivedAt],
          ['Incident opened', incident.openedAt],
          [
            'Resolved',
            incident.resolvedAt
              ? `${incident.resolvedAt} by ${personText(incident.resolvedByPerson, incident.resolvedBy ?? 'unknown')}`
              : 'no',
          ],
          [
            'Disposition',
            incident.disposition
              ? `${incident.disposition.disposition} (${incident.disposition.category}), decided by ${personText(incident.disposition.decidedBy)}${incident.disposition.source === 'jira' ? ' in Jira' : ''}`
              : 'not decided',
          ],
          ['Time to isolate (MTTI)', duration(metrics.timeToIsolateSeconds)],
          ['Time to evidence (MTTE)', duration(metrics.timeToEvidenceSeconds)],
          ['Time to resolve (MTTR)', duration(metrics.timeToResolveSeconds ?? null)],
          ['Correlation id', incident.correlationId],
        ],
      ),
      ...(incident.notes.length > 0 ? ['', ...incident.notes.map((note) => `- ${e(note)}`)] : []),
    ]),
    section('Findings', [
      markdownTable(
        ['Source', 'Type', 'Title', 'Severity', 'Count', 'Received', 'Id'],
        report.findings.map((f) => [f.source, f.type, f.title, f.band, f.count, f.receivedAt, f.id]),
      ),
    ]),
    section('NIST SP 800-61 phases', [
      markdownTable(
        ['Phase', 'Reached', 'At', 'Basis'],
        report.phases.map((p) => [p.name, p.reached ? 'yes' : 'no', p.at ?? '', p.basis.join('; ')]),
      ),
    ]),
    section('Steps', [
      markdownTable(
        ['#', 'Step', 'Action', 'Origin', 'Status', 'Outcome', 'Approval', 'Pre-state', 'Completed'],
        report.steps.map((s, index) => [
          index + 1,
          s.stepId,
          s.action,
          s.origin,
          s.status,
          s.outcome,
          approvalCell(s),
          s.containment ? (s.preStateRecorded ? 'recorded' : 'NOT recorded') : '',
          s.completedAt ?? '',
        ]),
      ),
    ]),
    section('Approvals', [
      report.approvals.length === 0
        ? 'No step waited for a person.'
        : markdownTable(
            ['Step', 'Action', 'Decision', 'By', 'Requested by', 'Reason', 'Held because'],
            report.approvals.map((a) => [
              a.stepId,
              a.action,
              a.decision,
              personText(a.decidedBy, a.by),
              a.requestedBy ? personText(a.requestedBy) : '',
              a.reason ?? '',
              a.holdReasons.join(', '),
            ]),
          ),
    ]),
    section('Pre-state and rollback', [
      report.rollback.requested
        ? `Rollback requested by ${e(personText(report.rollback.requester, report.rollback.requestedBy ?? 'unknown'))} at ${e(report.rollback.requestedAt ?? 'unknown')}${report.rollback.approver ? `, approved by ${e(personText(report.rollback.approver))}` : ', not approved yet'}.`
        : 'No rollback was requested.',
      '',
      report.rollback.containments.length === 0
        ? 'No containment succeeded.'
        : markdownTable(
            ['Containment', 'Action', 'Pre-state recorded', 'Rollback', 'Rollback step'],
            report.rollback.containments.map((c) => [
              c.stepId,
              c.action,
              c.preStateRecorded ? 'yes' : 'no',
              c.rollbackStatus,
              c.rollbackStepId ?? '',
            ]),
          ),
    ]),
    section('Evidence', [
      `Verification: **${e(verification.status)}**${verification.bucket ? ` (bucket ${e(verification.bucket)}` : ''}${verification.checkedAt ? `, checked at ${e(verification.checkedAt)})` : verification.bucket ? ')' : ''}: ${e(verification.detail)}`,
      ...(verification.problems.length > 0 ? ['', ...verification.problems.map((p) => `- ${e(p)}`)] : []),
      ...(verification.manifests.length > 0
        ? [
            '',
            markdownTable(
              ['Sequence', 'Manifest', 'Chain', 'Reason'],
              verification.manifests.map((m) => [m.sequence, m.key, m.status, m.reason ?? '']),
            ),
          ]
        : []),
      ...(verification.artifacts.length > 0
        ? [
            '',
            markdownTable(
              ['Artifact', 'Version', 'SHA-256', 'Status', 'Later version'],
              verification.artifacts.map((a) => [
                a.key,
                a.versionId,
                a.sha256,
                a.status,
                a.laterVersion ?? '',
              ]),
            ),
          ]
        : []),
    ]),
    section('Timeline', [
      ...(report.timelineTruncated
        ? [
            `Truncated: ${e(report.timelineTruncated.reason)} (${report.timelineTruncated.omitted} entries omitted).`,
            '',
          ]
        : []),
      markdownTable(
        ['At', 'Event', 'Step', 'Detail'],
        report.timeline.map((t) => [t.at, t.kind, t.stepId ?? '', compact(t.detail)]),
      ),
    ]),
  );
  return `${parts.join('\n').trimEnd()}\n`;
}
