import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { type AcceptedMessage, errorName, type HandlerContext } from '@ir/runtime';
import {
  findSnapshots,
  pendingWork,
  recordVolumes,
  type SnapshotScope,
  type VolumeRecord,
} from '../snapshots/evidence-snapshots.js';
import {
  COMPLETION_ARTIFACT,
  completionSealId,
  followupDelaySeconds,
  nextFollowup,
  watchVerdict,
} from '../snapshots/snapshot-watch.js';
import { sealIncident } from './seal.js';
import { deviceNamesOf } from './instance-lookup.js';
import { forensicsEc2, snapshotSettings } from './snapshot-volumes.js';
import type { ActionDeps } from './types.js';

/** The type of the follow-up message the forensics service sends itself. */
export const SNAPSHOT_FOLLOWUP = 'evidence.snapshot-followup';

/** The follow-up message the forensics service sends itself. */
export type SnapshotFollowup = AcceptedMessage<typeof SNAPSHOT_FOLLOWUP>;

/** How a watch ended, the `outcome` of the completion artifact and of the metric. */
export const WatchOutcome = {
  settled: 'settled',
  expired: 'expired',
} as const;

/**
 * One look at an incident's evidence snapshots after the step: moves each volume on as far as it can
 * go (KMS copy once the snapshot completes, share once the copy completes, forensics-account copy once
 * shared), and either schedules the next look (doubling delay) or, once nothing is in progress or the
 * watch has run `IR_SNAPSHOT_WATCH_HOURS`, stores `snapshot-completion.json` (when each snapshot was
 * seen completed, every copy and share, what never finished) and seals it into a new manifest chained
 * to the incident's others. Answers nobody: the step was already answered; this is its record.
 * Idempotent: a redelivered follow-up finds the artifact and manifest already written.
 */
export function snapshotFollowup(deps: ActionDeps) {
  return async (message: SnapshotFollowup, context: HandlerContext): Promise<void> => {
    const { payload, incidentId } = message;
    const { stepId, instanceId } = payload;
    const scope: SnapshotScope = { incidentId, stepId, instanceId, ...payload.target };
    const existing = await deps.store.read({ incidentId, stepId, name: COMPLETION_ARTIFACT });
    if (!existing) {
      const ec2 = await deps.aws.client(EC2Client, { ...payload.target, incidentId });
      const { records, memory } = await recordVolumes({
        ec2,
        forensicsEc2: forensicsEc2(deps, scope),
        scope,
        snapshots: await findSnapshots(ec2, scope),
        devices: await deviceNames(ec2, instanceId),
        settings: snapshotSettings(deps),
        metrics: deps.metrics,
        now: deps.now,
        memory: payload,
      });
      const now = deps.now();
      const verdict = watchVerdict(records, now, payload.watchUntil);
      if (verdict === 'look-again') {
        const attempt = payload.attempt + 1;
        const delaySeconds = followupDelaySeconds(attempt, deps.config.IR_SNAPSHOT_POLL_SECONDS);
        const next = nextFollowup(
          message,
          scope,
          { attempt, watchStartedAt: payload.watchStartedAt, watchUntil: payload.watchUntil, memory },
          { now: deps.now, ...(deps.newId ? { newId: deps.newId } : {}) },
        );
        await deps.followups.publish('forensics', [next], { delaySeconds });
        context.logger.info(
          { instanceId, attempt, delaySeconds, pending: records.flatMap(pendingWork) },
          'snapshot_watch_rescheduled',
        );
        return;
      }
      const outcome = verdict === 'expired' ? WatchOutcome.expired : WatchOutcome.settled;
      await deps.store.put({
        incidentId,
        stepId,
        action: message.type,
        name: COMPLETION_ARTIFACT,
        contentType: 'application/json',
        sourceAccount: payload.target.accountId,
        body: JSON.stringify(completionRecord(message, records, outcome, now), null, 2),
      });
      deps.metrics.snapshotWatchesTotal.inc({ outcome });
      const log = outcome === WatchOutcome.settled ? context.logger.info : context.logger.error;
      log.call(
        context.logger,
        { instanceId, outcome, attempts: payload.attempt, unfinished: records.flatMap(pendingWork) },
        'snapshot_watch_ended',
      );
    }
    // Sealing again with the same id returns the manifest already written, so a follow-up that died
    // between storing the artifact and sealing it finishes the job here.
    await sealIncident(deps, {
      incidentId,
      stepId: completionSealId(stepId),
      action: message.type,
      dryRun: false,
      logger: context.logger,
    });
  };
}

/** The completion artifact: what was observed, when, and what (if anything) never finished. */
function completionRecord(
  message: SnapshotFollowup,
  records: readonly VolumeRecord[],
  outcome: string,
  now: Date,
) {
  const { payload } = message;
  return {
    instanceId: payload.instanceId,
    target: payload.target,
    stepId: payload.stepId,
    outcome,
    watchStartedAt: payload.watchStartedAt,
    watchUntil: payload.watchUntil,
    looks: payload.attempt,
    observedAt: now.toISOString(),
    unfinished: records.flatMap(pendingWork),
    volumes: records,
  };
}

/** Device names by volume id; an instance gone since the step leaves the snapshots' device tags. */
async function deviceNames(ec2: EC2Client, instanceId: string): Promise<Map<string, string>> {
  try {
    const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return deviceNamesOf(output.Reservations?.[0]?.Instances?.[0]);
  } catch (error: unknown) {
    // Terminated and gone since the step: the device tags on the snapshots say the same.
    if (errorName(error) === 'InvalidInstanceID.NotFound') return new Map();
    throw error;
  }
}
