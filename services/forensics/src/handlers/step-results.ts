import { buildMessage, type BuildMessageOptions, type MessageOf } from '@ir/contracts';
import { errorMessage, errorName } from '@ir/runtime';
import type { EvidenceCommand, StepOutcome } from './types.js';

/** The service name in `producer`. */
export const PRODUCER = 'forensics';

const envelope = (command: EvidenceCommand) => ({
  incidentId: command.incidentId,
  correlationId: command.correlationId,
  causationId: command.id,
  producer: PRODUCER,
  dryRun: command.dryRun,
});

/** `step.succeeded` answering a command. */
export function stepSucceeded(
  command: EvidenceCommand,
  outcome: StepOutcome,
  options: BuildMessageOptions & { now: () => Date },
): MessageOf<'step.succeeded'> {
  return buildMessage(
    'step.succeeded',
    {
      ...envelope(command),
      payload: {
        stepId: command.payload.stepId,
        action: command.payload.action,
        result: outcome.result,
        ...(outcome.verified ? { verified: outcome.verified } : {}),
        completedAt: options.now().toISOString(),
      },
    },
    options,
  );
}

/** `step.failed` with a reason a person can act on (the error's message) and its name. */
export function stepFailed(
  command: EvidenceCommand,
  error: unknown,
  options: BuildMessageOptions & { now: () => Date },
): MessageOf<'step.failed'> {
  const context =
    typeof error === 'object' && error !== null && 'context' in error
      ? (error as { context: unknown }).context
      : undefined;
  return buildMessage(
    'step.failed',
    {
      ...envelope(command),
      payload: {
        stepId: command.payload.stepId,
        action: command.payload.action,
        reason: `${command.payload.action} failed: ${errorMessage(error)}`.slice(0, 2000),
        errorName: errorName(error),
        retryable: false,
        ...(context && typeof context === 'object' && Object.keys(context).length > 0
          ? { detail: context as Record<string, unknown> }
          : {}),
        failedAt: options.now().toISOString(),
      },
    },
    options,
  );
}
