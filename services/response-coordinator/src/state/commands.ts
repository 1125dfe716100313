import {
  buildMessage,
  type BuildMessageOptions,
  type CommandApproval,
  type IncidentRecord,
  type Message,
  type StepAction,
  type StepRecord,
} from '@ir/contracts';
import { deterministicUuid } from '../ids.js';
import type { OutboxEntry } from '../model.js';

type AnyBuild = (type: StepAction, fields: unknown, options: BuildMessageOptions) => Message;

/**
 * The command message for a step, checked against its contracts schema. Its id derives from the
 * incident and step, so a replayed decision sends a message a worker can recognise as the same.
 * The incident's dry-run flag travels on every command (TRAPS 19).
 *
 * A step a person approved carries `approval` (the approvers and the reasons it was held for), and
 * its id also derives from those reasons: a worker remembers the answer of each command id it has
 * answered, so the approved dispatch of a step it held (`step.held`) must not look like the unapproved
 * one, nor like an approval for other reasons.
 */
export function stepCommandMessage(
  incident: IncidentRecord,
  step: StepRecord,
  options: { now: Date; causationId: string | null; producer: string },
): OutboxEntry {
  const approval = approvalOf(step);
  const messageId = approval
    ? deterministicUuid('command', incident.incidentId, step.stepId, 'approved', ...approval.holdReasons)
    : deterministicUuid('command', incident.incidentId, step.stepId);
  const message = (buildMessage as AnyBuild)(
    step.action,
    {
      incidentId: incident.incidentId,
      correlationId: incident.correlationId,
      causationId: options.causationId,
      producer: options.producer,
      dryRun: incident.dryRun,
      payload: {
        stepId: step.stepId,
        action: step.action,
        playbookId: incident.playbookId,
        target: step.target,
        timeoutSeconds: step.timeoutSeconds,
        params: step.params,
        ...(approval ? { approval } : {}),
      },
    },
    { newId: () => messageId, now: () => options.now },
  );
  return { queue: step.queue, messageId, body: JSON.stringify(message) };
}

/**
 * The approval of an approved step: every approver recorded (the last one's label when the approval
 * predates recorded approvals) and the reasons it was held for, sorted so the id is stable.
 */
export function approvalOf(step: StepRecord): CommandApproval | undefined {
  if (step.approvedBy === undefined) return undefined;
  const approvers = step.approvals.map((approval) => approval.by);
  return {
    approvedBy: approvers.length > 0 ? approvers : [step.approvedBy],
    holdReasons: [...new Set(step.holdReasons)].sort(),
  };
}
