import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import type { Publishable } from '../publisher.js';
import type { AccountPolicy } from '../accounts/allowed-accounts.js';
import type { AwsClientFactory } from '../aws/client-factory.js';
import { errorMessage, errorName, isRetryable, RetryableError } from '../errors.js';
import type { Publisher } from '../publisher.js';
import { type AcceptedMessage, envelopeParser } from '../worker/envelope-parser.js';
import { type HandlerContext, type ParsedMessage, retryDelaySeconds } from '../worker/worker.js';
import { contextOf, failedAnswer, heldAnswer, succeededAnswer } from './step-answers.js';
import type {
  ParamsOf,
  StepActionTable,
  StepCommand,
  StepCommandType,
  StepContext,
  StepEnvelope,
  StepHandler,
} from './step-context.js';
import { StepMetricOutcome, type StepMetrics } from './step-metrics.js';
import type { StepOutcome } from './step-outcome.js';

/** Time kept back before the deadline to publish the answer. */
export const ANSWER_RESERVE_MS = 2_000;
/** Answers remembered per replica, so a redelivered command is answered again without re-running. */
const REMEMBERED_ANSWERS = 1_000;

const PERMISSION_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** Settings of {@link createStepWorker}. */
export interface StepWorkerSettings<T extends StepCommandType> {
  /** The service name: `producer` of every answer, and the policy file named in permission errors. */
  readonly service: string;
  /** Every message type the service executes, each with its handler (exhaustive by type). */
  readonly actions: StepActionTable<T>;
  readonly publisher: Publisher<'coordinator'>;
  readonly aws: AwsClientFactory;
  readonly metrics: StepMetrics;
  /** Deliveries of one command before a transient error is answered as `step.failed` (IR_STEP_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** The runtime's visibility back-off, to know whether another attempt fits before the deadline. */
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  /** Refuses accounts that are not allowed before any action (the client factory refuses them too). */
  readonly accounts?: Pick<AccountPolicy, 'assertAllowed'> | undefined;
  readonly now?: (() => Date) | undefined;
  readonly newId?: (() => string) | undefined;
  /** Time kept back before the deadline to answer; {@link ANSWER_RESERVE_MS} by default. */
  readonly answerReserveMs?: number | undefined;
}

/** A step worker: the parser and handler a queue service runs, and the types it executes. */
export interface StepWorker<T extends StepCommandType> {
  readonly types: readonly T[];
  readonly parse: (message: SqsMessage) => ParsedMessage<AcceptedMessage<T>>;
  readonly handle: (message: ParsedMessage<StepCommand<T>>, context: HandlerContext) => Promise<void>;
}

/**
 * When an action's own work must stop (epoch ms): the step's deadline (`sentAt` + `timeoutSeconds`) or
 * the runtime's handler time-out counted from `startedAt`, whichever comes first, less `reserveMs` kept
 * to finish and answer. Counted from `sentAt`, so a command that waited in the queue gets only what is
 * left of its budget.
 */
export function workEndsAt(
  deadline: Date,
  startedAt: number,
  handlerTimeoutMs: number,
  reserveMs: number,
): number {
  return Math.min(deadline.getTime(), startedAt + handlerTimeoutMs) - reserveMs;
}

/** A sentence a person can act on, naming the account and what to do where we know it. */
export function stepFailureReason(
  error: unknown,
  command: StepEnvelope,
  service: string,
  gaveUpAfter?: number,
): string {
  const name = errorName(error);
  const where = `account ${command.payload.target.accountId}, region ${command.payload.target.region}`;
  const base = `${command.payload.action} failed in ${where}: ${errorMessage(error)}`;
  if (gaveUpAfter !== undefined) {
    return `${base} (transient error ${name}, gave up after ${gaveUpAfter} attempts; check the AWS service health and re-run the step)`;
  }
  if (PERMISSION_ERRORS.has(name)) {
    return `${base} (the response role lacks a permission; compare it with docs/iam/${service}-policy.json)`;
  }
  return base;
}

/**
 * The one way a service executes steps (isolator, forensics, notifier). For each command it:
 * - refuses commands that arrive after their deadline (`sentAt` + `timeoutSeconds`): the coordinator
 *   has already timed the step out, so no answer is produced;
 * - re-sends the remembered answer of a command this replica already answered (a redelivery after a
 *   lost delete) instead of acting twice;
 * - checks the target account is allowed;
 * - runs the action from the table with a signal aborted just before the deadline;
 * - answers `step.succeeded` (succeeded, skipped), `step.held` (a protected resource) or `step.failed`. Transient errors go back to the
 *   queue with the runtime's back-off while attempts (`maxAttempts`) and time remain, then are answered
 *   as failed naming the last error: the coordinator always hears back, nothing is dead-lettered
 *   silently. Permanent errors are answered as failed at once.
 * Metrics (`ir_step_executions_total`, `ir_step_execution_duration_seconds`) and log fields are the same in every service.
 */
export function createStepWorker<T extends StepCommandType>(settings: StepWorkerSettings<T>): StepWorker<T> {
  const now = settings.now ?? (() => new Date());
  const reserveMs = settings.answerReserveMs ?? ANSWER_RESERVE_MS;
  const buildOptions = { now, ...(settings.newId ? { newId: settings.newId } : {}) };
  const { metrics, service } = settings;
  const types = Object.keys(settings.actions) as T[];
  const answered = new Map<string, Publishable>();
  const inFlight = new Set<string>();

  function remember(commandId: string, answer: Publishable): void {
    answered.set(commandId, answer);
    if (answered.size > REMEMBERED_ANSWERS) {
      const oldest = answered.keys().next().value;
      if (oldest !== undefined) answered.delete(oldest);
    }
  }

  async function answer(command: StepEnvelope, message: Publishable): Promise<void> {
    await settings.publisher.publish('coordinator', [message]);
    remember(command.id, message);
  }

  /** The only place a table entry is called: the entry's type and the command's type are the same key. */
  function actionFor<K extends T>(type: K): StepHandler<K> {
    const handler: StepHandler<K> = settings.actions[type];
    return handler;
  }

  async function handle(message: ParsedMessage<StepCommand<T>>, context: HandlerContext): Promise<void> {
    const typed = message.value;
    const command: StepEnvelope = typed;
    const { payload } = command;
    const action = payload.action as T;
    const deadlineMs = Date.parse(command.sentAt) + payload.timeoutSeconds * 1000;
    const logger = context.logger.child({
      stepId: payload.stepId,
      action,
      dryRun: command.dryRun,
      attempt: context.receiveCount,
    });

    const previous = answered.get(command.id);
    if (previous) {
      await settings.publisher.publish('coordinator', [previous]);
      metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.replayed });
      logger.info('step_answer_replayed');
      return;
    }
    const left = deadlineMs - reserveMs - now().getTime();
    if (left <= 0) {
      metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.expired });
      logger.warn(
        { sentAt: command.sentAt, timeoutSeconds: payload.timeoutSeconds },
        'step_expired_before_start',
      );
      return;
    }
    if (inFlight.has(command.id)) {
      throw new RetryableError(`step ${payload.stepId} is already running on this replica`, {
        reason: 'in-flight',
      });
    }

    const deadlineSignal = AbortSignal.timeout(left);
    const signal = AbortSignal.any([context.signal, deadlineSignal]);
    const stepContext: StepContext<T> = {
      incidentId: command.incidentId,
      correlationId: command.correlationId,
      stepId: payload.stepId,
      action,
      dryRun: command.dryRun,
      target: payload.target,
      approval: payload.approval,
      command: typed,
      logger,
      signal,
      deadline: new Date(deadlineMs),
      attempt: context.receiveCount,
      now,
      client: (clientClass) =>
        settings.aws.client(clientClass, {
          accountId: payload.target.accountId,
          region: payload.target.region,
          incidentId: command.incidentId,
        }),
    };

    const stopTimer = metrics.stepDuration.startTimer({ action });
    inFlight.add(command.id);
    let outcome: StepOutcome;
    try {
      // Defence in depth: the coordinator does not dispatch for a refused account, and we check again.
      await settings.accounts?.assertAllowed(payload.target.accountId);
      // The one cast of the step worker: TypeScript cannot correlate a generic command's params with
      // the table entry of the same type; the parser has checked both against the same schema.
      outcome = await actionFor(action)(payload.params as ParamsOf<T>, stepContext);
    } catch (error: unknown) {
      stopTimer();
      inFlight.delete(command.id);
      await onError(error, command, context, deadlineSignal.aborted, deadlineMs, logger);
      return;
    }
    stopTimer();
    inFlight.delete(command.id);

    if (now().getTime() >= deadlineMs) {
      // The action ignored the signal: the coordinator has timed the step out; say what happened.
      metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.expired });
      logger.error({ outcome }, 'step_completed_after_deadline');
      return;
    }
    switch (outcome.kind) {
      case 'deferred':
        metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.deferred });
        logger.info({ note: outcome.note }, 'step_deferred');
        return;
      case 'failed':
        await answer(
          command,
          failedAnswer(
            command,
            { reason: outcome.reason, errorName: outcome.errorName ?? 'StepFailed', detail: outcome.detail },
            service,
            buildOptions,
          ),
        );
        metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.failed });
        logger.error({ reason: outcome.reason }, 'step_failed');
        return;
      case 'held':
        await answer(command, heldAnswer(command, outcome, service, buildOptions));
        metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.held });
        logger.warn({ resources: outcome.resources }, 'step_held');
        return;
      case 'skipped':
        await answer(command, succeededAnswer(command, outcome, service, buildOptions));
        metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.skipped });
        logger.warn({ reason: outcome.reason }, 'step_skipped');
        return;
      case 'succeeded':
        await answer(command, succeededAnswer(command, outcome, service, buildOptions));
        metrics.stepsTotal.inc({
          action,
          outcome: command.dryRun ? StepMetricOutcome.dryRun : StepMetricOutcome.succeeded,
        });
        logger.info('step_succeeded');
        return;
    }
  }

  async function onError(
    error: unknown,
    command: StepEnvelope,
    context: HandlerContext,
    pastDeadline: boolean,
    deadlineMs: number,
    logger: StepContext['logger'],
  ): Promise<void> {
    const action = command.payload.action as T;
    const attempt = context.receiveCount;
    if (context.signal.aborted && !pastDeadline && attempt < settings.maxAttempts) {
      // Shutdown or the handler time-out cut the work short: another delivery tries again, whatever
      // the action threw while it was being cut (a non-retryable error here must not dead-letter it).
      metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.retried });
      if (isRetryable(error)) throw error;
      throw new RetryableError(`step ${command.payload.stepId} was cut short: ${errorMessage(error)}`, {
        reason: 'aborted',
        cause: error,
      });
    }
    // Cut short on the last attempt (handler time-out, shutdown): answered, so SQS cannot dead-letter
    // the command without the coordinator hearing back.
    const retryable = (isRetryable(error) || context.signal.aborted) && !pastDeadline;
    if (retryable && attempt < settings.maxAttempts) {
      const nextAt =
        now().getTime() +
        retryDelaySeconds(attempt, settings.retryBaseSeconds, settings.retryMaxSeconds) * 1000;
      if (nextAt < deadlineMs - reserveMs) {
        metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.retried });
        logger.warn({ err: error }, 'step_retrying');
        throw error;
      }
    }
    if (errorName(error) === 'VerificationFailedError') metrics.verificationFailuresTotal.inc({ action });
    const reason = pastDeadline
      ? `${command.payload.action} ran out of its ${command.payload.timeoutSeconds} s budget (deadline ${new Date(deadlineMs).toISOString()}): ${errorMessage(error)}`
      : stepFailureReason(error, command, service, retryable ? attempt : undefined);
    await answer(
      command,
      failedAnswer(
        command,
        {
          reason,
          errorName: pastDeadline ? 'StepDeadlineExceeded' : errorName(error),
          detail: contextOf(error),
        },
        service,
        buildOptions,
      ),
    );
    metrics.stepsTotal.inc({ action, outcome: StepMetricOutcome.failed });
    logger.error({ err: error, reason }, 'step_failed');
  }

  return {
    types,
    parse: envelopeParser(service, types),
    handle,
  };
}
