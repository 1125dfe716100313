import {
  describeResource as describeContractResource,
  type MessageOf,
  type NotifyStage,
  type PendingApproval,
  type Resource,
  type SeverityBand,
  type StepTarget,
} from '@ir/contracts';

/** What every channel renders: the notify command, flattened, plus the Jira key once known. */
export interface Notification {
  /** The command's message id: a delivery id receivers can deduplicate on. */
  readonly deliveryId: string;
  readonly incidentId: string;
  readonly correlationId: string;
  readonly stepId: string;
  readonly stage: NotifyStage;
  readonly severityBand: SeverityBand;
  readonly summary: string;
  readonly target: StepTarget;
  readonly resource: Resource | undefined;
  readonly actionsTaken: readonly string[];
  readonly pendingApprovals: readonly PendingApproval[];
  readonly details: Readonly<Record<string, unknown>>;
  readonly ticketKey: string | undefined;
  readonly dryRun: boolean;
  /** When the notifier sent it (ISO 8601). */
  readonly sentAt: string;
}

/** Builds the notification of a `notify.incident` command. */
export function notificationOf(command: MessageOf<'notify.incident'>, now: Date): Notification {
  const { params } = command.payload;
  return {
    deliveryId: command.id,
    incidentId: command.incidentId,
    correlationId: command.correlationId,
    stepId: command.payload.stepId,
    stage: params.stage,
    severityBand: params.severityBand,
    summary: params.summary,
    target: command.payload.target,
    resource: params.resource,
    actionsTaken: params.actionsTaken ?? [],
    pendingApprovals: params.pendingApprovals ?? [],
    details: params.details ?? {},
    ticketKey: params.ticketKey,
    dryRun: command.dryRun,
    sentAt: now.toISOString(),
  };
}

/** How each stage reads in a title. */
export const stageTitle: Readonly<Record<NotifyStage, string>> = {
  opened: 'Incident opened',
  contained: 'Resource contained',
  'evidence-sealed': 'Evidence sealed',
  investigated: 'Clean-room investigation done',
  'approval-needed': 'Approval needed',
  'step-failed': 'Response step failed',
  'rolled-back': 'Containment rolled back',
  resolved: 'Incident resolved',
  reported: 'Incident report stored',
};

/** A one-line title, e.g. `[HIGH] Incident opened: Backdoor on i-0abc (inc-1)`. */
export function titleOf(notification: Notification): string {
  return `[${notification.severityBand}] ${stageTitle[notification.stage]}: ${notification.summary} (${notification.incidentId})`;
}

/** A resource as a person reads it, e.g. `EC2 instance i-0abc` (contracts' `describeResource`). */
export function describeResource(resource: Resource | undefined): string {
  return resource ? describeContractResource(resource) : 'not given';
}

/** Label/value pairs shown by every human-readable channel, in one order. */
export function factsOf(notification: Notification): [string, string][] {
  const facts: [string, string][] = [
    ['Severity', notification.severityBand],
    ['Stage', stageTitle[notification.stage]],
    ['Incident', notification.incidentId],
    ['Resource', describeResource(notification.resource)],
    ['Account / region', `${notification.target.accountId} / ${notification.target.region}`],
  ];
  if (notification.ticketKey) facts.push(['Ticket', notification.ticketKey]);
  return facts;
}

/** One line per pending approval, saying what waits and how to approve it. */
export function approvalLines(notification: Notification): string[] {
  return notification.pendingApprovals.map((approval) => {
    const how = [
      approval.approveCommand ? `run \`${approval.approveCommand}\`` : undefined,
      approval.approveUrl ? `open ${approval.approveUrl}` : undefined,
    ].filter((part): part is string => part !== undefined);
    const why = approval.reason ? ` (${approval.reason})` : '';
    const approve =
      how.length > 0
        ? `approve: ${how.join(' or ')}`
        : `approve step ${approval.stepId} through the response coordinator's API`;
    return `${approval.action}${why}: ${approve}`;
  });
}

/** A step that waits for a person's decision, as the notification names it. */
export interface HeldStep {
  readonly stepId: string;
  readonly action: string;
}

/**
 * The steps a notification asks a person to decide: its `pendingApprovals` or, for the
 * coordinator's own `approval-needed` notifications (which name the step in `details`), that step.
 * Why both: playbook notify steps list approvals, while the coordinator's hold and reminder
 * notifications carry the held step only in their details.
 */
export function heldSteps(notification: Notification): HeldStep[] {
  if (notification.pendingApprovals.length > 0) {
    return notification.pendingApprovals.map(({ stepId, action }) => ({ stepId, action }));
  }
  const { stepId, action } = notification.details;
  if (notification.stage !== 'approval-needed' || typeof stepId !== 'string' || stepId === '') return [];
  return [{ stepId, action: typeof action === 'string' && action !== '' ? action : stepId }];
}

/** The plain-text body shared by email, Jira comments and Security Hub's description. */
export function plainText(notification: Notification): string {
  const lines = [titleOf(notification), ''];
  for (const [label, value] of factsOf(notification)) lines.push(`${label}: ${value}`);
  if (notification.actionsTaken.length > 0) {
    lines.push('', 'What was done:', ...notification.actionsTaken.map((action) => `- ${action}`));
  }
  const approvals = approvalLines(notification);
  if (approvals.length > 0) lines.push('', 'Waiting for approval:', ...approvals.map((line) => `- ${line}`));
  lines.push('', `Correlation id: ${notification.correlationId}`);
  return lines.join('\n');
}

/** The JSON document sent to the webhook and SNS: stable field names, no secrets. */
export function jsonDocument(notification: Notification): Record<string, unknown> {
  return {
    version: 1,
    deliveryId: notification.deliveryId,
    incidentId: notification.incidentId,
    correlationId: notification.correlationId,
    stepId: notification.stepId,
    stage: notification.stage,
    severityBand: notification.severityBand,
    summary: notification.summary,
    target: notification.target,
    resource: notification.resource ?? null,
    actionsTaken: notification.actionsTaken,
    pendingApprovals: notification.pendingApprovals,
    ticketKey: notification.ticketKey ?? null,
    details: notification.details,
    sentAt: notification.sentAt,
  };
}

/** Cuts text to a service's field limit, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
