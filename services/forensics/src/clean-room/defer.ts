import { errorMessage, errorName, type HandlerContext } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import type { ActionDeps, EvidenceCommand, StepOutcome } from '../handlers/types.js';

/** Seconds before the next look: half the time waited so far, from 15 s up to 5 min. */
export function deferDelaySeconds(waitedSeconds: number): number {
  return Math.min(300, Math.max(15, Math.round(waitedSeconds / 2)));
}

/**
 * Runs a clean-room action; when AWS is not ready yet (`CleanRoomNotReadyError`: a snapshot pending,
 * the instance starting, the agent not registered, a volume detaching) the same command is put back
 * on the queue with a delay and no result is sent yet. Why a copy and not a retry: each receive counts
 * toward the queue's `maxReceiveCount`, so a few retries would dead-letter a command that only needed
 * minutes; a copy starts its own count (as the runtime's account deferral does). The wait is bounded
 * by the step's time-out, counted from when the coordinator sent it: past it the step fails with the
 * last reason, which a person can act on.
 */
export async function deferWhileNotReady(
  deps: Pick<ActionDeps, 'followups' | 'now'>,
  command: EvidenceCommand<'evidence.clean-room' | 'evidence.clean-room-teardown'>,
  context: HandlerContext,
  run: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  try {
    return await run();
  } catch (error: unknown) {
    if (errorName(error) !== 'CleanRoomNotReadyError' || command.dryRun) throw error;
    const waited = Math.max(0, (deps.now().getTime() - Date.parse(command.sentAt)) / 1000);
    if (waited >= command.payload.timeoutSeconds) {
      throw new StepRefusedError(
        `gave up after ${Math.round(waited)} s (the step's time-out): ${errorMessage(error)}`,
        'clean-room-wait-exceeded',
        { cause: error },
      );
    }
    const delaySeconds = deferDelaySeconds(waited);
    await deps.followups.publish('forensics', [command], { delaySeconds });
    context.logger.info(
      { action: command.type, stepId: command.payload.stepId, delaySeconds, reason: errorMessage(error) },
      'clean_room_deferred',
    );
    return { deferred: true, result: { waiting: errorMessage(error) } };
  }
}
