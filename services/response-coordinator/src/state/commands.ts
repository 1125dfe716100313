import {
  buildMessage,
  type BuildMessageOptions,
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
 */
export function stepCommandMessage(
  incident: IncidentRecord,
  step: StepRecord,
  options: { now: Date; causationId: string | null; producer: string },
): OutboxEntry {
  const messageId = deterministicUuid('command', incident.incidentId, step.stepId);
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
      },
    },
    { newId: () => messageId, now: () => options.now },
  );
  return { queue: step.queue, messageId, body: JSON.stringify(message) };
}
