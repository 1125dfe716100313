import type { AccountPolicy, HandlerContext, ParsedMessage, Publisher } from '@ir/runtime';
import { errorMessage, errorName, isRetryable } from '@ir/runtime';
import { StepOutcome as Outcome } from '../metrics.js';
import { captureInstance } from './capture-instance.js';
import { cleanRoom } from './clean-room.js';
import { cleanRoomTeardown } from './clean-room-teardown.js';
import { collectIam } from './collect-iam.js';
import { collectS3 } from './collect-s3.js';
import { collectVolatile } from './collect-volatile.js';
import { seal } from './seal.js';
import { type SnapshotFollowup, snapshotFollowup } from './snapshot-followup.js';
import { snapshotVolumes } from './snapshot-volumes.js';
import { stepFailed, stepSucceeded } from './step-results.js';
import { storeReport } from './store-report.js';
import type { ActionDeps, ActionHandler, EvidenceCommand, EvidenceType, StepOutcome } from './types.js';

/** The message types this service accepts on its queue. */
export const EVIDENCE_TYPES: readonly EvidenceType[] = [
  'evidence.snapshot-volumes',
  'evidence.capture-instance',
  'evidence.collect-volatile',
  'evidence.collect-iam',
  'evidence.collect-s3',
  'evidence.seal',
  'evidence.clean-room',
  'evidence.clean-room-teardown',
  'evidence.store-report',
];

/** What {@link createHandlers} needs beyond the actions' dependencies. */
export interface HandlerDeps extends ActionDeps {
  readonly publisher: Publisher<'coordinator'>;
  /** Refuses accounts that are not allowed before any action (the client factory refuses them too). */
  readonly accounts?: Pick<AccountPolicy, 'assertAllowed'>;
}

/**
 * Builds the queue handler: dispatch by type, then answer the coordinator. A permanent failure
 * (refused, not found, access denied, integrity) is published as `step.failed` and the command is
 * acknowledged; a transient one is thrown so the runtime retries it through the queue.
 */
export function createHandlers(deps: HandlerDeps) {
  const actions: { [T in EvidenceType]: ActionHandler<T> } = {
    'evidence.snapshot-volumes': snapshotVolumes(deps),
    'evidence.capture-instance': captureInstance(deps),
    'evidence.collect-volatile': collectVolatile(deps),
    'evidence.collect-iam': collectIam(deps),
    'evidence.collect-s3': collectS3(deps),
    'evidence.seal': seal(deps),
    'evidence.clean-room': cleanRoom(deps),
    'evidence.clean-room-teardown': cleanRoomTeardown(deps),
    'evidence.store-report': storeReport(deps),
  };
  const buildOptions = { now: deps.now, ...(deps.newId ? { newId: deps.newId } : {}) };
  const followup = snapshotFollowup(deps);

  return async function handle(
    message: ParsedMessage<EvidenceCommand | SnapshotFollowup>,
    context: HandlerContext,
  ): Promise<void> {
    // The service's note to itself: no step to answer; a permanent failure goes to the DLQ with its reason.
    if (message.value.type === 'evidence.snapshot-followup') return followup(message.value, context);
    const command = message.value;
    const action = actions[command.type] as ActionHandler<EvidenceType>;
    let outcome: StepOutcome;
    try {
      // Defence in depth: the coordinator does not dispatch for a refused account, and we check again.
      await deps.accounts?.assertAllowed(command.payload.target.accountId);
      outcome = await action(command, context);
    } catch (error: unknown) {
      if (isRetryable(error)) throw error;
      context.logger.error(
        {
          action: command.type,
          stepId: command.payload.stepId,
          error: errorName(error),
          reason: errorMessage(error),
        },
        'evidence_step_failed',
      );
      await deps.publisher.publish('coordinator', [stepFailed(command, error, buildOptions)]);
      deps.metrics.stepsTotal.inc({ action: command.type, outcome: Outcome.failed });
      return;
    }
    // The action put its command back on the queue for a later look (clean room waiting on AWS).
    if (outcome.deferred) return;
    await deps.publisher.publish('coordinator', [stepSucceeded(command, outcome, buildOptions)]);
    const label = command.dryRun ? Outcome.dryRun : outcome.skipped ? Outcome.skipped : Outcome.succeeded;
    deps.metrics.stepsTotal.inc({ action: command.type, outcome: label });
    context.logger.info(
      { action: command.type, stepId: command.payload.stepId, outcome: label },
      'evidence_step_completed',
    );
  };
}
