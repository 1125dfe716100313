import {
  ANSWER_RESERVE_MS,
  deferred,
  errorMessage,
  errorName,
  type StepContext,
  type StepOutcome,
} from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import type { ActionDeps, EvidenceCommand } from '../handlers/types.js';

/** Seconds before the next look: half the time waited so far, from 15 s up to 5 min. */
export function deferDelaySeconds(waitedSeconds: number): number {
  return Math.min(300, Math.max(15, Math.round(waitedSeconds / 2)));
}

/** What the deferral reads of the step context of a clean-room command. */
export type DeferContext = Pick<StepContext, 'dryRun' | 'deadline' | 'now' | 'logger'> & {
  readonly command: EvidenceCommand<'evidence.clean-room'> | EvidenceCommand<'evidence.clean-room-teardown'>;
};

/**
 * Runs a clean-room action; when AWS is not ready yet (`CleanRoomNotReadyError`: a snapshot pending,
 * the instance starting, the agent not registered, a volume detaching) the same command is put back
 * on the queue with a delay and the action answers `deferred()`: no result is sent yet. Why a copy and
 * not a retry: each receive counts toward the step worker's `IR_STEP_MAX_ATTEMPTS`, so a few retries
 * would fail a command that only needed minutes; a copy starts its own count and keeps the command's
 * `sentAt`, so the step's deadline still holds. When the next look would land past that deadline
 * (less the time the step worker keeps to answer), the step fails now with the last reason, which a
 * person can act on; a copy arriving after the deadline would only be dropped as expired.
 */
export async function deferWhileNotReady(
  deps: Pick<ActionDeps, 'followups'>,
  context: DeferContext,
  run: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  try {
    return await run();
  } catch (error: unknown) {
    if (errorName(error) !== 'CleanRoomNotReadyError' || context.dryRun) throw error;
    const { command } = context;
    const now = context.now().getTime();
    const waited = Math.max(0, (now - Date.parse(command.sentAt)) / 1000);
    const delaySeconds = deferDelaySeconds(waited);
    if (now + delaySeconds * 1000 >= context.deadline.getTime() - ANSWER_RESERVE_MS) {
      throw new StepRefusedError(
        `gave up after ${Math.round(waited)} s (the next look would fall past the step's ${command.payload.timeoutSeconds} s time-out): ${errorMessage(error)}`,
        'clean-room-wait-exceeded',
        { cause: error },
      );
    }
    await deps.followups.publish('forensics', [command], { delaySeconds });
    context.logger.info(
      { action: command.type, stepId: command.payload.stepId, delaySeconds, reason: errorMessage(error) },
      'clean_room_deferred',
    );
    return deferred(errorMessage(error));
  }
}
