import { z } from 'zod';
import { FindingSource } from '../finding.js';
import { FindingWorkflowTarget } from '../finding-workflow.js';
import { Resource } from '../resource.js';
import { SeverityBand } from '../severity.js';
import { stepCommand } from './step-command.js';

/** The moments of an incident people are told about. */
export const NotifyStage = z.enum([
  'opened',
  'contained',
  'evidence-sealed',
  'investigated',
  'approval-needed',
  'step-failed',
  'rolled-back',
  'resolved',
  /** The incident report was stored as evidence (after resolve). */
  'reported',
]);
/** @see NotifyStage */
export type NotifyStage = z.infer<typeof NotifyStage>;

/**
 * A step waiting for an operator, and how to approve it. Why in the notification: the person paged at
 * 2 a.m. must see what is blocked and the exact way to unblock it without opening another tool.
 */
export const PendingApproval = z.object({
  stepId: z.string().min(1),
  action: z.string().min(1),
  reason: z.string().min(1).optional(),
  /** The coordinator's approval endpoint for this step, when it has a public URL. */
  approveUrl: z.url().optional(),
  /** The CLI command that approves it (e.g. an `irctl` line). */
  approveCommand: z.string().min(1).optional(),
});
/** @see PendingApproval */
export type PendingApproval = z.infer<typeof PendingApproval>;

/**
 * Tell people about an incident on every configured channel. The optional fields make messages
 * readable (`resource`, `actionsTaken`, `pendingApprovals`); `ticketKey` is the Jira key an earlier
 * notify step returned (`result.ticketKey`), so later messages name it and Jira gets a comment
 * instead of a second issue.
 */
export const NotifyIncident = stepCommand(
  'notify.incident',
  z.object({
    stage: NotifyStage,
    severityBand: SeverityBand,
    summary: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
    resource: Resource.optional(),
    actionsTaken: z.array(z.string().min(1)).optional(),
    pendingApprovals: z.array(PendingApproval).optional(),
    ticketKey: z.string().min(1).optional(),
  }),
);
/** @see NotifyIncident */
export type NotifyIncident = z.infer<typeof NotifyIncident>;

/** When the incident marks its findings at their source: on open, and on resolve. */
export const FindingSyncPhase = z.enum(['opened', 'resolved']);
/** @see FindingSyncPhase */
export type FindingSyncPhase = z.infer<typeof FindingSyncPhase>;

/**
 * The Security Hub workflow status a finding is set to (ASFF `Workflow.Status`; v2 maps it to OCSF
 * `status_id`). `NEW` is never set: the responder only moves a finding forward.
 */
export const FindingWorkflowStatus = z.enum(['NOTIFIED', 'RESOLVED', 'SUPPRESSED']);
/** @see FindingWorkflowStatus */
export type FindingWorkflowStatus = z.infer<typeof FindingWorkflowStatus>;

/** One finding to mark: its identity in the incident and where its workflow lives. */
export const FindingSyncItem = FindingWorkflowTarget.extend({ source: FindingSource, id: z.string().min(1) });
/** @see FindingSyncItem */
export type FindingSyncItem = z.infer<typeof FindingSyncItem>;

/**
 * Mark the incident's findings at their source: set the Security Hub workflow status (v1 through
 * `BatchUpdateFindings`, v2 through `BatchUpdateFindingsV2`) with a note naming the incident, and,
 * when `archiveGuardDuty`, archive the GuardDuty findings (a false positive). Why limits: Security
 * Hub's `Note.Text` and v2 `Comment` hold at most 512 characters; `BatchUpdateFindings` takes at most
 * 100 findings.
 */
export const NotifyFindingWorkflow = stepCommand(
  'notify.finding-workflow',
  z.object({
    phase: FindingSyncPhase,
    workflowStatus: FindingWorkflowStatus,
    note: z.string().trim().min(1).max(512),
    /** Security Hub's `Note.UpdatedBy`: who the change is attributed to. */
    noteUpdatedBy: z.string().trim().min(1).max(512),
    findings: z.array(FindingSyncItem).min(1).max(100),
    archiveGuardDuty: z.boolean(),
  }),
);
/** @see NotifyFindingWorkflow */
export type NotifyFindingWorkflow = z.infer<typeof NotifyFindingWorkflow>;

/** Every notification command, keyed by action: the single list `StepAction` takes them from. */
export const notifyCommands = {
  'notify.incident': NotifyIncident,
  'notify.finding-workflow': NotifyFindingWorkflow,
} as const satisfies Record<`notify.${string}`, z.ZodType>;

/** A notification action name (`notify.incident`, `notify.finding-workflow`). */
export type NotifyAction = keyof typeof notifyCommands;
