import {
  CopySnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Snapshot,
  type Tag,
} from '@aws-sdk/client-ec2';
import { errorName } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import { describeInstance } from './instance-lookup.js';
import { type ShareRecord, shareSnapshot } from './share-snapshot.js';
import { type ActionDeps, type ActionHandler, targetOf } from './types.js';

/** Tag keys on evidence snapshots; reruns find their own snapshots by them. */
export const SnapshotTag = {
  incidentId: 'ir:incident-id',
  stepId: 'ir:step-id',
  sourceInstance: 'ir:source-instance',
  volumeId: 'ir:volume-id',
  device: 'ir:device',
  purpose: 'ir:purpose',
  kind: 'ir:kind',
  sourceSnapshot: 'ir:source-snapshot',
} as const;

/** Value of the purpose tag, so nobody deletes an evidence snapshot as clutter. */
export const FORENSIC_PURPOSE = 'forensic evidence';

interface VolumeRecord {
  volumeId: string;
  device: string;
  snapshotId: string;
  state: string;
  startTime: string | null;
  copy: { snapshotId: string; kmsKeyId: string; state: string } | { status: string } | null;
  /** The KMS copy shared with `IR_FORENSICS_ACCOUNT_ID`, read back; null when no account is set. */
  share: ShareRecord | null;
}

const tagOf = (snapshot: Snapshot, key: string) => snapshot.Tags?.find((tag) => tag.Key === key)?.Value;

/**
 * evidence.snapshot-volumes: one crash-consistent `CreateSnapshots` over every EBS volume of the
 * instance, tagged with incident, step, instance, device and purpose; with `IR_FORENSICS_KMS_KEY`,
 * each completed snapshot is also copied encrypted with that customer-managed key (TRAPS 14). The step
 * succeeds once the snapshots are started; the state seen is recorded, copies of snapshots still
 * pending are recorded as waiting. Reruns reuse the snapshots tagged with the same incident and step.
 */
export function snapshotVolumes(deps: ActionDeps): ActionHandler<'evidence.snapshot-volumes'> {
  return async (command, context) => {
    const { instanceId } = command.payload.params;
    const { stepId } = command.payload;
    const ec2 = await deps.aws.client(EC2Client, targetOf(command));
    const instance = await describeInstance(ec2, instanceId);
    const devices = new Map(
      (instance.BlockDeviceMappings ?? []).flatMap((mapping) =>
        mapping.Ebs?.VolumeId ? [[mapping.Ebs.VolumeId, mapping.DeviceName ?? 'unknown'] as const] : [],
      ),
    );
    const baseTags: Tag[] = [
      { Key: SnapshotTag.incidentId, Value: command.incidentId },
      { Key: SnapshotTag.stepId, Value: stepId },
      { Key: SnapshotTag.sourceInstance, Value: instanceId },
      { Key: SnapshotTag.purpose, Value: FORENSIC_PURPOSE },
    ];
    const existing = await findSnapshots(ec2, command.incidentId, stepId, instanceId);
    const sources = new Map(
      existing
        .filter((s) => tagOf(s, SnapshotTag.kind) === 'source' && s.VolumeId)
        .map((s) => [s.VolumeId, s]),
    );
    const missing = [...devices.keys()].filter((volumeId) => !sources.has(volumeId));

    if (command.dryRun) {
      if (missing.length > 0) await dryRunCreate(ec2, instanceId);
      return {
        result: {
          dryRun: true,
          instanceId,
          wouldSnapshot: missing.map((volumeId) => ({ volumeId, device: devices.get(volumeId) })),
          alreadySnapshotted: [...sources.values()].map((s) => s.SnapshotId),
          wouldCopyWithKmsKey: deps.config.IR_FORENSICS_KMS_KEY ?? null,
          wouldShareWithAccount: deps.config.IR_FORENSICS_ACCOUNT_ID ?? null,
          wouldWrite: [deps.store.keyOf({ incidentId: command.incidentId, stepId, name: 'snapshots.json' })],
        },
      };
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
          Description: `Forensic evidence for incident ${command.incidentId} from ${instanceId}`,
          TagSpecifications: [
            { ResourceType: 'snapshot', Tags: [...baseTags, { Key: SnapshotTag.kind, Value: 'source' }] },
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

    const snapshots = await findSnapshots(ec2, command.incidentId, stepId, instanceId);
    const records = await recordVolumes(deps, ec2, command, snapshots, devices, baseTags);
    const unsnapshotted = [...devices.keys()].filter((v) => !records.some((r) => r.volumeId === v));
    if (unsnapshotted.length > 0) {
      throw new StepRefusedError(
        `no snapshot was found after CreateSnapshots for volume(s) ${unsnapshotted.join(', ')} of ${instanceId}`,
        'snapshot-missing',
      );
    }
    const artifact = await deps.store.put({
      incidentId: command.incidentId,
      stepId,
      action: command.type,
      name: 'snapshots.json',
      contentType: 'application/json',
      sourceAccount: command.payload.target.accountId,
      body: JSON.stringify(
        {
          instanceId,
          target: command.payload.target,
          crashConsistent: true,
          observedAt: deps.now().toISOString(),
          volumes: records,
        },
        null,
        2,
      ),
    });
    return {
      result: { instanceId, snapshots: records, artifact },
      verified: { snapshotsReadBack: records.map((r) => ({ snapshotId: r.snapshotId, state: r.state })) },
    };
  };
}

async function findSnapshots(ec2: EC2Client, incidentId: string, stepId: string, instanceId: string) {
  const snapshots: Snapshot[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${SnapshotTag.incidentId}`, Values: [incidentId] },
          { Name: `tag:${SnapshotTag.stepId}`, Values: [stepId] },
          { Name: `tag:${SnapshotTag.sourceInstance}`, Values: [instanceId] },
        ],
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    snapshots.push(...(page.Snapshots ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return snapshots;
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

async function recordVolumes(
  deps: ActionDeps,
  ec2: EC2Client,
  command: Parameters<ActionHandler<'evidence.snapshot-volumes'>>[0],
  snapshots: readonly Snapshot[],
  devices: ReadonlyMap<string, string>,
  baseTags: readonly Tag[],
): Promise<VolumeRecord[]> {
  const kmsKeyId = deps.config.IR_FORENSICS_KMS_KEY;
  const copies = new Map(
    snapshots
      .filter((s) => tagOf(s, SnapshotTag.kind) === 'kms-copy')
      .map((s) => [tagOf(s, SnapshotTag.sourceSnapshot), s]),
  );
  const records: VolumeRecord[] = [];
  for (const source of snapshots.filter((s) => tagOf(s, SnapshotTag.kind) === 'source')) {
    if (!source.SnapshotId || !source.VolumeId) continue;
    const device = devices.get(source.VolumeId) ?? tagOf(source, SnapshotTag.device) ?? 'unknown';
    let copy: VolumeRecord['copy'] = null;
    if (kmsKeyId) {
      const found = copies.get(source.SnapshotId);
      if (found?.SnapshotId) {
        copy = { snapshotId: found.SnapshotId, kmsKeyId, state: found.State ?? 'unknown' };
      } else if (source.State === 'completed') {
        const output = await ec2.send(
          new CopySnapshotCommand({
            SourceSnapshotId: source.SnapshotId,
            SourceRegion: command.payload.target.region,
            Encrypted: true,
            KmsKeyId: kmsKeyId,
            Description: `KMS copy of ${source.SnapshotId} for incident ${command.incidentId}`,
            TagSpecifications: [
              {
                ResourceType: 'snapshot',
                Tags: [
                  ...baseTags,
                  { Key: SnapshotTag.kind, Value: 'kms-copy' },
                  { Key: SnapshotTag.sourceSnapshot, Value: source.SnapshotId },
                  { Key: SnapshotTag.volumeId, Value: source.VolumeId },
                  { Key: SnapshotTag.device, Value: device },
                ],
              },
            ],
          }),
        );
        if (!output.SnapshotId) throw new Error(`CopySnapshot of ${source.SnapshotId} returned no id`);
        deps.metrics.snapshotsTotal.inc({ kind: 'kms_copy' });
        copy = { snapshotId: output.SnapshotId, kmsKeyId, state: 'pending' };
      } else {
        copy = {
          status: `waiting: source snapshot is ${source.State ?? 'unknown'}; copy on a later run or by hand`,
        };
      }
    }
    const forensicsAccountId = deps.config.IR_FORENSICS_ACCOUNT_ID;
    let share: ShareRecord | null = null;
    if (forensicsAccountId) {
      share =
        copy && 'snapshotId' in copy
          ? await shareSnapshot(ec2, copy.snapshotId, forensicsAccountId)
          : { accountId: forensicsAccountId, status: 'waiting: the KMS copy does not exist yet' };
      if ('verified' in share) deps.metrics.snapshotsTotal.inc({ kind: 'shared' });
    }
    records.push({
      volumeId: source.VolumeId,
      device,
      snapshotId: source.SnapshotId,
      state: source.State ?? 'unknown',
      startTime: source.StartTime?.toISOString() ?? null,
      copy,
      share,
    });
  }
  return records.sort((a, b) => a.device.localeCompare(b.device));
}
