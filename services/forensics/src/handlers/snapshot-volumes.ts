import { CreateSnapshotsCommand, CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { errorName, type StepHandler, succeeded } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import {
  baseTags,
  findSnapshots,
  isSettled,
  pendingWork,
  recordVolumes,
  type SnapshotScope,
  SnapshotKind,
  SnapshotTag,
  tagOf,
} from '../snapshots/evidence-snapshots.js';
import { followupDelaySeconds, nextFollowup } from '../snapshots/snapshot-watch.js';
import { describeInstance, deviceNamesOf } from './instance-lookup.js';
import type { ActionDeps } from './types.js';

export { FORENSIC_PURPOSE, SnapshotTag } from '../snapshots/evidence-snapshots.js';

/**
 * evidence.snapshot-volumes: one crash-consistent `CreateSnapshots` over every EBS volume of the
 * instance, tagged with incident, step, instance, device and purpose. The step succeeds once the
 * snapshots are started and records the state seen. Whatever is still in progress (the snapshots,
 * their copies under `IR_FORENSICS_KMS_KEY` (TRAPS 14), the share with and copy into the forensics
 * account) is carried on by follow-ups this step schedules (see handlers/snapshot-followup.ts), which
 * record completion when they observe it. Reruns reuse the snapshots tagged with the same incident and step.
 */
export function snapshotVolumes(deps: ActionDeps): StepHandler<'evidence.snapshot-volumes'> {
  return async ({ instanceId }, context) => {
    const { command, stepId, incidentId, target } = context;
    const scope: SnapshotScope = {
      accountId: target.accountId,
      region: target.region,
      incidentId,
      stepId,
      instanceId,
    };
    const ec2 = await context.client(EC2Client);
    const instance = await describeInstance(ec2, instanceId);
    const devices = deviceNamesOf(instance);
    const existing = await findSnapshots(ec2, scope);
    const sources = new Map(
      existing
        .filter((s) => tagOf(s, SnapshotTag.kind) === SnapshotKind.source && s.VolumeId)
        .map((s) => [s.VolumeId, s]),
    );
    const missing = [...devices.keys()].filter((volumeId) => !sources.has(volumeId));

    if (context.dryRun) {
      if (missing.length > 0) await dryRunCreate(ec2, instanceId);
      return succeeded({
        dryRun: true,
        instanceId,
        wouldSnapshot: missing.map((volumeId) => ({ volumeId, device: devices.get(volumeId) })),
        alreadySnapshotted: [...sources.values()].map((s) => s.SnapshotId),
        wouldCopyWithKmsKey: deps.config.IR_FORENSICS_KMS_KEY ?? null,
        wouldShareWithAccount: deps.config.IR_FORENSICS_ACCOUNT_ID ?? null,
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name: 'snapshots.json' })],
      });
    }

    if (missing.length > 0) {
      const rootVolume = instance.BlockDeviceMappings?.find((m) => m.DeviceName === instance.RootDeviceName)
        ?.Ebs?.VolumeId;
      const created = await ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: {
            InstanceId: instanceId,
            ExcludeBootVolume: rootVolume !== undefined && sources.has(rootVolume),
            ExcludeDataVolumeIds: [...sources.keys()].filter((v): v is string => !!v && v !== rootVolume),
          },
          Description: `Forensic evidence for incident ${incidentId} from ${instanceId}`,
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: [...baseTags(scope), { Key: SnapshotTag.kind, Value: SnapshotKind.source }],
            },
          ],
          CopyTagsFromSource: 'volume',
        }),
      );
      for (const info of created.Snapshots ?? []) {
        if (!info.SnapshotId || !info.VolumeId) continue;
        deps.metrics.snapshotsTotal.inc({ kind: 'source' });
        await ec2.send(
          new CreateTagsCommand({
            Resources: [info.SnapshotId],
            Tags: [
              { Key: SnapshotTag.volumeId, Value: info.VolumeId },
              { Key: SnapshotTag.device, Value: devices.get(info.VolumeId) ?? 'unknown' },
            ],
          }),
        );
      }
      context.logger.info({ instanceId, volumes: missing.length }, 'snapshots_started');
    }

    const { records, memory } = await recordVolumes({
      ec2,
      forensicsEc2: forensicsEc2(deps, scope),
      scope,
      snapshots: await findSnapshots(ec2, scope),
      devices,
      settings: snapshotSettings(deps),
      metrics: deps.metrics,
      now: deps.now,
      memory: { completedObservedAt: {}, copyMisses: {} },
    });
    const unsnapshotted = [...devices.keys()].filter((v) => !records.some((r) => r.volumeId === v));
    if (unsnapshotted.length > 0) {
      throw new StepRefusedError(
        `no snapshot was found after CreateSnapshots for volume(s) ${unsnapshotted.join(', ')} of ${instanceId}`,
        'snapshot-missing',
      );
    }
    const artifact = await deps.store.put({
      incidentId,
      stepId,
      action: context.action,
      name: 'snapshots.json',
      contentType: 'application/json',
      sourceAccount: target.accountId,
      body: JSON.stringify(
        {
          instanceId,
          target,
          crashConsistent: true,
          observedAt: deps.now().toISOString(),
          volumes: records,
        },
        null,
        2,
      ),
    });
    const settled = isSettled(records);
    let watch: { firstLookInSeconds: number; pending: string[] } | null = null;
    if (!settled) {
      const started = deps.now();
      const delay = followupDelaySeconds(1, deps.config.IR_SNAPSHOT_POLL_SECONDS);
      const followup = nextFollowup(
        command,
        scope,
        {
          attempt: 1,
          watchStartedAt: started.toISOString(),
          watchUntil: new Date(
            started.getTime() + deps.config.IR_SNAPSHOT_WATCH_HOURS * 3_600_000,
          ).toISOString(),
          memory,
        },
        { now: deps.now, ...(deps.newId ? { newId: deps.newId } : {}) },
      );
      await deps.followups.publish('forensics', [followup], { delaySeconds: delay });
      watch = { firstLookInSeconds: delay, pending: records.flatMap(pendingWork) };
      context.logger.info(
        { instanceId, delaySeconds: delay, pending: watch.pending.length },
        'snapshot_watch_scheduled',
      );
    }
    return succeeded(
      { instanceId, snapshots: records, artifact, settled, watch },
      { verified: { snapshotsReadBack: records.map((r) => ({ snapshotId: r.snapshotId, state: r.state })) } },
    );
  };
}

/** The snapshot settings of the forensics configuration. */
export function snapshotSettings(deps: Pick<ActionDeps, 'config'>) {
  return {
    kmsKeyId: deps.config.IR_FORENSICS_KMS_KEY,
    forensicsAccountId: deps.config.IR_FORENSICS_ACCOUNT_ID,
    copyIntoForensicsAccount: deps.config.IR_FORENSICS_SNAPSHOT_COPY === 'copy',
  };
}

/** EC2 in the forensics account, in the snapshots' region, for copying into it. */
export function forensicsEc2(deps: Pick<ActionDeps, 'aws' | 'config'>, scope: SnapshotScope) {
  return () =>
    deps.aws.client(EC2Client, {
      accountId: deps.config.IR_FORENSICS_ACCOUNT_ID,
      region: scope.region,
      incidentId: scope.incidentId,
    });
}

/** EC2's own dry run: `DryRunOperation` means the call would have been allowed. */
async function dryRunCreate(ec2: EC2Client, instanceId: string): Promise<void> {
  try {
    await ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId }, DryRun: true }),
    );
  } catch (error: unknown) {
    if (errorName(error) === 'DryRunOperation') return;
    throw error;
  }
}
