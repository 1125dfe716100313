import { buildMessage } from '@ir/contracts';
import { errorMessage, errorName, type HandlerContext, isRetryable } from '@ir/runtime';
import type { IsolatorHandlerDeps, IsolatorMessage } from './index.js';
import type { ActionContext, ActionHandler, StepOutcome } from './types.js';

type Command = IsolatorMessage;

const PERMISSION_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** A sentence a person can act on, naming the account and what to do where we know it. */
export function humanReason(error: unknown, command: Command, gaveUpAfter?: number): string {
  const name = errorName(error);
  const where = `account ${command.payload.target.accountId}, region ${command.payload.target.region}`;
  const base = `${command.payload.action} failed in ${where}: ${errorMessage(error)}`;
  if (gaveUpAfter !== undefined) {
    return `${base} (transient error ${name}, gave up after ${gaveUpAfter} attempts; check the AWS service health and re-run the step)`;
  }
  if (PERMISSION_ERRORS.has(name)) {
    return `${base} (the response role lacks a permission; compare it with docs/iam/isolator-policy.json)`;
  }
  return base;
}

/**
 * Runs one command and answers the coordinator (TRAPS 16): `step.succeeded` with result, pre-state and
 * what was verified; or, for a permanent failure, `step.failed` with the reason, and the command is
 * acknowledged. Transient failures (throttling, 5xx, network) are thrown so the runtime retries them
 * through the queue, until the last attempt allowed by IR_STEP_MAX_ATTEMPTS, which reports
 * `step.failed` so the failure reaches a person instead of silently dead-lettering.
 */
export async function executeStep(
  deps: IsolatorHandlerDeps,
  action: ActionHandler<Command['payload']['params']>,
  command: Command,
  context: HandlerContext,
): Promise<void> {
  const { payload } = command;
  const logger = context.logger.child({
    stepId: payload.stepId,
    action: payload.action,
    dryRun: command.dryRun,
  });
  const target = {
    accountId: payload.target.accountId,
    region: payload.target.region,
    incidentId: command.incidentId,
  };
  const actionContext: ActionContext = {
    incidentId: command.incidentId,
    stepId: payload.stepId,
    dryRun: command.dryRun,
    target: payload.target,
    logger,
    signal: context.signal,
    now: deps.now,
    client: (clientClass) => deps.aws.client(clientClass, target),
  };
  const envelope = {
    incidentId: command.incidentId,
    correlationId: command.correlationId,
    causationId: command.id,
    producer: 'isolator',
    dryRun: command.dryRun,
  };
  const options = { now: deps.now, ...(deps.newId ? { newId: deps.newId } : {}) };
  const stopTimer = deps.metrics.actionDuration.startTimer({ action: payload.action });
  let outcome: StepOutcome;
  try {
    // Defence in depth: the coordinator does not dispatch for a refused account, and we check again.
    await deps.accounts?.assertAllowed(payload.target.accountId);
    outcome = await action(payload.params, actionContext);
  } catch (error: unknown) {
    stopTimer();
    const retryable = isRetryable(error);
    if (retryable && context.receiveCount < deps.config.IR_STEP_MAX_ATTEMPTS) {
      deps.metrics.actionsTotal.inc({ action: payload.action, outcome: 'retried' });
      logger.warn({ err: error, receiveCount: context.receiveCount }, 'step_retrying');
      throw error;
    }
    const name = errorName(error);
    if (name === 'VerificationFailedError')
      deps.metrics.verificationFailuresTotal.inc({ action: payload.action });
    const reason = humanReason(error, command, retryable ? context.receiveCount : undefined);
    const detail = contextOf(error);
    await deps.publisher.publish('coordinator', [
      buildMessage(
        'step.failed',
        {
          ...envelope,
          payload: {
            stepId: payload.stepId,
            action: payload.action,
            reason,
            errorName: name,
            retryable: false,
            ...(detail ? { detail } : {}),
            failedAt: deps.now().toISOString(),
          },
        },
        options,
      ),
    ]);
    deps.metrics.actionsTotal.inc({ action: payload.action, outcome: 'failed' });
    logger.error({ err: error, reason }, 'step_failed');
    return;
  }
  stopTimer();
  await deps.publisher.publish('coordinator', [
    buildMessage(
      'step.succeeded',
      {
        ...envelope,
        payload: {
          stepId: payload.stepId,
          action: payload.action,
          result: outcome.result,
          ...(outcome.preState ? { preState: outcome.preState } : {}),
          ...(outcome.verified ? { verified: outcome.verified } : {}),
          completedAt: deps.now().toISOString(),
        },
      },
      options,
    ),
  ]);
  deps.metrics.actionsTotal.inc({
    action: payload.action,
    outcome: command.dryRun ? 'dry_run' : 'succeeded',
  });
  logger.info('step_succeeded');
}

/** The error's own context (problems found on read-back, the resource), for `detail`. */
function contextOf(error: unknown): Record<string, unknown> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const context = (error as { context?: unknown }).context;
  return typeof context === 'object' && context !== null && Object.keys(context).length > 0
    ? (context as Record<string, unknown>)
    : undefined;
}
