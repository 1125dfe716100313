import { buildMessage, type MessageOf } from '@ir/contracts';
import { isSettled, type SnapshotScope, type VolumeRecord, type WatchMemory } from './evidence-snapshots.js';

/** Artifact the watch writes once the snapshots settle (or the watch ends), beside `snapshots.json`. */
export const COMPLETION_ARTIFACT = 'snapshot-completion.json';

/** The id the watch's manifest is sealed under: the step's, marked, so a re-seal finds it. */
export const completionSealId = (stepId: string) => `${stepId}.snapshots-settled`;

/** Seconds before look `attempt` (1-based): the base, doubling, at most SQS's 900 s delay. */
export function followupDelaySeconds(attempt: number, baseSeconds: number): number {
  return Math.min(900, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/** Where a watch came from: the command (or follow-up) that schedules the next look. */
export interface WatchOrigin {
  readonly id: string;
  readonly incidentId: string;
  readonly correlationId: string;
}

/** The follow-up message for the next look. */
export function nextFollowup(
  origin: WatchOrigin,
  scope: SnapshotScope,
  watch: { attempt: number; watchStartedAt: string; watchUntil: string; memory: WatchMemory },
  options: { now: () => Date; newId?: () => string },
): MessageOf<'evidence.snapshot-followup'> {
  return buildMessage(
    'evidence.snapshot-followup',
    {
      incidentId: origin.incidentId,
      correlationId: origin.correlationId,
      causationId: origin.id,
      producer: 'forensics',
      dryRun: false,
      payload: {
        stepId: scope.stepId,
        target: { accountId: scope.accountId, region: scope.region },
        instanceId: scope.instanceId,
        attempt: watch.attempt,
        watchStartedAt: watch.watchStartedAt,
        watchUntil: watch.watchUntil,
        completedObservedAt: { ...watch.memory.completedObservedAt },
        copyMisses: { ...watch.memory.copyMisses },
      },
    },
    options,
  );
}

/**
 * What a look decides: `settled` when nothing is in progress, `expired` when something still is but
 * the watch has run out (what is known is recorded), otherwise `look-again`.
 */
export function watchVerdict(
  records: readonly VolumeRecord[],
  now: Date,
  watchUntil: string,
): 'settled' | 'expired' | 'look-again' {
  if (isSettled(records)) return 'settled';
  return now.getTime() >= Date.parse(watchUntil) ? 'expired' : 'look-again';
}
