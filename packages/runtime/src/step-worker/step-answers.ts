import { buildMessage, type BuildMessageOptions, type MessageOf } from '@ir/contracts';
import type { StepEnvelope } from './step-context.js';
import type { StepOutcome } from './step-outcome.js';

/** SQS and the timeline keep reasons short; the detail carries the rest. */
const MAX_REASON = 2000;

function envelopeOf(command: StepEnvelope, producer: string) {
  return {
    incidentId: command.incidentId,
    correlationId: command.correlationId,
    causationId: command.id,
    producer,
    dryRun: command.dryRun,
  };
}

/** The answer for a succeeded or skipped outcome: `step.succeeded` (skipped: `result.skipped`). */
export function succeededAnswer(
  command: StepEnvelope,
  outcome: Extract<StepOutcome, { kind: 'succeeded' | 'skipped' }>,
  producer: string,
  options: BuildMessageOptions & { now: () => Date },
): MessageOf<'step.succeeded'> {
  const base =
    outcome.kind === 'skipped'
      ? { ...outcome.result, skipped: true, reason: outcome.reason }
      : outcome.result;
  const result = command.dryRun && base.dryRun === undefined ? { ...base, dryRun: true } : base;
  return buildMessage(
    'step.succeeded',
    {
      ...envelopeOf(command, producer),
      payload: {
        stepId: command.payload.stepId,
        action: command.payload.action,
        result,
        ...(outcome.kind === 'succeeded' && outcome.preState ? { preState: outcome.preState } : {}),
        ...(outcome.kind === 'succeeded' && outcome.verified ? { verified: outcome.verified } : {}),
        completedAt: options.now().toISOString(),
      },
    },
    options,
  );
}

/** The answer for a failure: `step.failed` with a reason a person can act on. */
export function failedAnswer(
  command: StepEnvelope,
  failure: { reason: string; errorName: string; detail?: Record<string, unknown> | undefined },
  producer: string,
  options: BuildMessageOptions & { now: () => Date },
): MessageOf<'step.failed'> {
  return buildMessage(
    'step.failed',
    {
      ...envelopeOf(command, producer),
      payload: {
        stepId: command.payload.stepId,
        action: command.payload.action,
        reason: failure.reason.slice(0, MAX_REASON),
        errorName: failure.errorName,
        retryable: false,
        ...(failure.detail && Object.keys(failure.detail).length > 0 ? { detail: failure.detail } : {}),
        failedAt: options.now().toISOString(),
      },
    },
    options,
  );
}

/** The error's own context (problems found on read-back, the resource), for `detail`. */
export function contextOf(error: unknown): Record<string, unknown> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const context = (error as { context?: unknown }).context;
  return typeof context === 'object' && context !== null && Object.keys(context).length > 0
    ? (context as Record<string, unknown>)
    : undefined;
}

/** The answer for a held step: `step.held` naming the protected resources; nothing was changed. */
export function heldAnswer(
  command: StepEnvelope,
  outcome: Extract<StepOutcome, { kind: 'held' }>,
  producer: string,
  options: BuildMessageOptions & { now: () => Date },
): MessageOf<'step.held'> {
  return buildMessage(
    'step.held',
    {
      ...envelopeOf(command, producer),
      payload: {
        stepId: command.payload.stepId,
        action: command.payload.action,
        reason: outcome.reason,
        resources: outcome.resources.map(({ key, tag }) => ({ key, tag })),
        heldAt: options.now().toISOString(),
      },
    },
    options,
  );
}
