import { nistPhases } from './phases.js';
import type { ReportInput, ReportStepInput } from './report-input.js';
import {
  type DecisionBy,
  type IncidentReport,
  type OperatorIdentity,
  REPORT_VERSION,
  type ReportApproval,
  type ReportContainmentRollback,
  type ReportPerson,
  type ReportStep,
  type ReportVerification,
} from '@ir/contracts';
import { verificationNotRun } from './verification.js';

/** Options of {@link buildReport}. */
export interface BuildReportOptions {
  /** When the report is built (ISO-8601). */
  readonly generatedAt: string;
  /** Which service built it, e.g. `response-coordinator`. */
  readonly generatedBy: string;
  /** The evidence verifier's result; "not run" when absent. */
  readonly verification?: ReportVerification;
  /**
   * Steps to leave out, e.g. the step that stores this very report: its params carry the report, and
   * a report cannot describe its own storage before it happens.
   */
  readonly excludeSteps?: (step: ReportStepInput) => boolean;
}

const orNull = <T>(value: T | undefined): T | null => value ?? null;

/** A person as the report names them: label and, when recorded, issuer, subject and time. */
function person(by: string, actor: OperatorIdentity | undefined, at?: string | undefined): ReportPerson {
  return { by, issuer: orNull(actor?.issuer), subject: orNull(actor?.subject), at: orNull(at) };
}

const fromDecision = (decision: DecisionBy | undefined): ReportPerson | null =>
  decision ? person(decision.by, decision.actor, decision.at) : null;

/** Who asked for the step: a rollback's requester, else the first of two approvers. */
function requesterOf(step: ReportStepInput): ReportPerson | null {
  if (step.requestedBy) return fromDecision(step.requestedBy);
  const approvals = step.approvals ?? [];
  return (step.approvalsRequired ?? 1) > 1 && approvals.length > 1 ? fromDecision(approvals[0]) : null;
}

const seconds = (from: string, to: string | undefined): number | null =>
  to === undefined ? null : Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** One sentence for a person: what happened to the step. */
export function stepOutcome(step: ReportStepInput, steps: readonly ReportStepInput[]): string {
  switch (step.status) {
    case 'succeeded':
      return `succeeded${step.completedAt ? ` at ${step.completedAt}` : ''}${step.verified ? ', verified by reading AWS back' : ''}`;
    case 'failed':
      return `failed: ${step.failure?.reason ?? 'no reason recorded'}`;
    case 'skipped':
      return `skipped: ${step.skipReason ?? 'no reason recorded'}`;
    case 'timed-out':
      return 'timed out: the worker did not answer in time';
    case 'awaiting-approval':
      return `waiting for approval (${step.holdReasons.join(', ') || 'approval required'})`;
    case 'dispatched':
      return `in progress since ${step.dispatchedAt ?? 'an unknown time'}`;
    case 'pending':
      return 'not started';
    case 'rolled-back': {
      const rollback = steps.find((other) => other.rollbackOf === step.stepId);
      return `succeeded, then rolled back${rollback ? ` by ${rollback.stepId}` : ''}`;
    }
    default:
      return step.status;
  }
}

function reportStep(step: ReportStepInput, steps: readonly ReportStepInput[]): ReportStep {
  return {
    stepId: step.stepId,
    action: step.action,
    origin: step.origin,
    queue: step.queue,
    status: step.status,
    outcome: stepOutcome(step, steps),
    containment: step.containment,
    sealsEvidence: step.sealsEvidence,
    target: { accountId: step.target.accountId, region: step.target.region },
    dispatchedAt: orNull(step.dispatchedAt),
    completedAt: orNull(step.completedAt),
    approval: {
      required: step.approval === 'required' || step.holdReasons.length > 0,
      holdReasons: [...step.holdReasons],
      approvedBy: orNull(step.approvedBy),
      rejectedBy: orNull(step.rejectedBy),
      reason: orNull(step.decisionReason),
      requestedAt: orNull(step.approvalRequestedAt),
      approvalsRequired: step.approvalsRequired ?? 1,
      approvals: (step.approvals ?? []).map((approval) => person(approval.by, approval.actor, approval.at)),
      requestedBy: requesterOf(step),
      approver: step.approvedBy !== undefined ? person(step.approvedBy, step.approvedByActor) : null,
      rejecter: step.rejectedBy !== undefined ? person(step.rejectedBy, step.rejectedByActor) : null,
    },
    failure: step.failure ? { reason: step.failure.reason, errorName: step.failure.errorName } : null,
    skipReason: orNull(step.skipReason),
    preStateRecorded: step.preState !== undefined,
    preState: orNull(step.preState),
    result: orNull(step.result),
    verified: orNull(step.verified),
    rollbackOf: orNull(step.rollbackOf),
  };
}

function approvalsOf(steps: readonly ReportStepInput[]): ReportApproval[] {
  return steps.flatMap((step): ReportApproval[] => {
    const by = step.approvedBy ?? step.rejectedBy;
    if (by === undefined) return [];
    return [
      {
        stepId: step.stepId,
        action: step.action,
        decision: step.approvedBy !== undefined ? 'approved' : 'rejected',
        by,
        reason: orNull(step.decisionReason),
        holdReasons: [...step.holdReasons],
        decidedBy: person(by, step.approvedBy !== undefined ? step.approvedByActor : step.rejectedByActor),
        requestedBy: requesterOf(step),
        approvals: (step.approvals ?? []).map((approval) => person(approval.by, approval.actor, approval.at)),
      },
    ];
  });
}

function rollbackOf(input: ReportInput): ReportContainmentRollback[] {
  const requested = input.incident.rollbackRequestedAt !== undefined;
  return input.steps
    .filter((step) => step.containment && (step.status === 'succeeded' || step.status === 'rolled-back'))
    .map((step) => {
      const rollback = input.steps.find((other) => other.rollbackOf === step.stepId);
      return {
        stepId: step.stepId,
        action: step.action,
        preStateRecorded: step.preState !== undefined,
        rollbackStatus: rollback ? rollback.status : requested ? 'impossible' : 'not-requested',
        rollbackStepId: rollback?.stepId ?? null,
      };
    });
}

/** Who approved the latest rollback: the approver on its most recent approved rollback step. */
function rollbackApprover(steps: readonly ReportStepInput[]): ReportPerson | null {
  const approved = steps.filter((step) => step.origin === 'rollback' && step.approvedBy !== undefined).at(-1);
  return approved?.approvedBy !== undefined ? person(approved.approvedBy, approved.approvedByActor) : null;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * Builds the incident report from the incident, its steps and its timeline. Pure: the same input
 * gives the same report, so the coordinator's route, the resolve decision and the forensics service
 * agree on what a report says.
 */
export function buildReport(input: ReportInput, options: BuildReportOptions): IncidentReport {
  const { incident } = input;
  const steps = [...input.steps]
    .filter((step) => !(options.excludeSteps?.(step) ?? false))
    .sort((a, b) => a.order - b.order);
  const reportSteps = steps.map((step) => reportStep(step, steps));
  const approvals = approvalsOf(steps);
  const stepsByStatus = countBy(steps.map((step) => step.status));
  const containmentsSucceeded = steps.filter(
    (step) => step.containment && (step.status === 'succeeded' || step.status === 'rolled-back'),
  ).length;
  const statusText = Object.entries(stepsByStatus)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const decided = incident.disposition;
  const resolution = incident.resolvedAt
    ? ` Resolved by ${incident.resolvedBy ?? 'an operator'} at ${incident.resolvedAt}${decided ? ` as ${decided.disposition} (${decided.category})` : ''}.`
    : '';
  const mtti = incident.dryRun ? null : seconds(incident.receivedAt, incident.firstContainedAt);
  const mtte = incident.dryRun ? null : seconds(incident.receivedAt, incident.evidenceSealedAt);
  return {
    reportVersion: REPORT_VERSION,
    generatedAt: options.generatedAt,
    generatedBy: options.generatedBy,
    incident: {
      incidentId: incident.incidentId,
      correlationId: incident.correlationId,
      status: incident.status,
      playbookId: incident.playbookId,
      severityBand: incident.severityBand,
      dryRun: incident.dryRun,
      summary: incident.summary,
      target: { accountId: incident.target.accountId, region: incident.target.region },
      receivedAt: incident.receivedAt,
      openedAt: incident.openedAt,
      resolvedAt: orNull(incident.resolvedAt),
      resolvedBy: orNull(incident.resolvedBy),
      resolvedByPerson:
        incident.resolvedBy !== undefined
          ? person(incident.resolvedBy, incident.resolvedByActor, incident.resolvedAt)
          : null,
      disposition: decided
        ? {
            disposition: decided.disposition,
            category: decided.category,
            decidedBy: person(decided.decidedBy, decided.decidedByActor, decided.decidedAt),
            source: decided.source,
          }
        : null,
      notes: [...incident.notes],
    },
    summary: {
      text: `${incident.dryRun ? 'DRY RUN. ' : ''}${incident.severityBand} incident handled by playbook ${incident.playbookId}: ${incident.summary}. Status ${incident.status}; ${steps.length} step(s)${statusText ? ` (${statusText})` : ''}.${resolution}`,
      steps: steps.length,
      stepsByStatus,
      containmentsSucceeded,
      approvals: approvals.filter((a) => a.decision === 'approved').length,
      rejections: approvals.filter((a) => a.decision === 'rejected').length,
    },
    metrics: {
      timeToIsolateSeconds: mtti,
      timeToEvidenceSeconds: mtte,
      timeToResolveSeconds: incident.dryRun ? null : seconds(incident.receivedAt, incident.resolvedAt),
      firstContainedAt: orNull(incident.firstContainedAt),
      evidenceSealedAt: orNull(incident.evidenceSealedAt),
    },
    findings: incident.findings.map((finding) => ({
      source: finding.source,
      id: finding.id,
      type: finding.type,
      title: finding.title,
      band: finding.band,
      count: finding.count,
      receivedAt: finding.receivedAt,
      updatedAt: finding.updatedAt,
    })),
    phases: nistPhases({ ...input, steps }),
    steps: reportSteps,
    approvals,
    rollback: {
      requested: incident.rollbackRequestedAt !== undefined,
      requestedAt: orNull(incident.rollbackRequestedAt),
      requestedBy: orNull(incident.rollbackRequestedBy),
      requester:
        incident.rollbackRequestedBy !== undefined
          ? person(
              incident.rollbackRequestedBy,
              incident.rollbackRequestedByActor,
              incident.rollbackRequestedAt,
            )
          : null,
      approver: rollbackApprover(steps),
      containments: rollbackOf({ ...input, steps }),
    },
    verification: options.verification ?? verificationNotRun(),
    timeline: [...input.timeline]
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((entry) => ({
        at: entry.at,
        kind: entry.kind,
        stepId: orNull(entry.stepId),
        detail: orNull(entry.detail),
      })),
    timelineTruncated: null,
  };
}
