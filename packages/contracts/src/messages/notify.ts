import { z } from 'zod';
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

/** Every notification command, keyed by action: the single list `StepAction` takes them from. */
export const notifyCommands = { 'notify.incident': NotifyIncident } as const satisfies Record<
  `notify.${string}`,
  z.ZodType
>;

/** A notification action name (`notify.incident`). */
export type NotifyAction = keyof typeof notifyCommands;
