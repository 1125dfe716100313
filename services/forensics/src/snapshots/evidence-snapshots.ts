import { CopySnapshotCommand, type EC2Client, type Snapshot, type Tag } from '@aws-sdk/client-ec2';
import type { ForensicsMetrics } from '../metrics.js';
import { type ForensicsCopyRecord, forensicsCopy } from './forensics-copy.js';
import { type ShareRecord, shareSnapshot } from './share-snapshot.js';
import { describeOwnSnapshots, FORENSIC_PURPOSE, SnapshotKind, SnapshotTag, tagOf } from './snapshot-tags.js';

export { FORENSIC_PURPOSE, SnapshotKind, SnapshotTag, tagOf } from './snapshot-tags.js';

/** The KMS copy of one source snapshot, or why there is none yet. */
export type CopyRecord =
  | { readonly snapshotId: string; readonly kmsKeyId: string; readonly state: string }
  | { readonly status: string };

/** Everything known about the evidence snapshot of one volume. */
export interface VolumeRecord {
  readonly volumeId: string;
  readonly device: string;
  readonly snapshotId: string;
  readonly state: string;
  readonly progress: string | null;
  readonly startTime: string | null;
  /** When this service first saw the snapshot `completed` (null while it is not). */
  readonly completedObservedAt: string | null;
  readonly copy: CopyRecord | null;
  /** The KMS copy shared with `IR_FORENSICS_ACCOUNT_ID`, read back; null when no account is set. */
  readonly share: ShareRecord | null;
  /** The copy made in the forensics account from the shared copy; null unless `IR_FORENSICS_SNAPSHOT_COPY=copy`. */
  readonly forensicsCopy: ForensicsCopyRecord | null;
}

/** Settings {@link recordVolumes} reads from the forensics configuration. */
export interface SnapshotSettings {
  readonly kmsKeyId: string | undefined;
  readonly forensicsAccountId: string | undefined;
  readonly copyIntoForensicsAccount: boolean;
}

/** Where the snapshots are and which step made them. */
export interface SnapshotScope {
  readonly incidentId: string;
  readonly stepId: string;
  readonly instanceId: string;
  readonly accountId: string;
  readonly region: string;
}

/** What a follow-up carries from one look to the next. */
export interface WatchMemory {
  readonly completedObservedAt: Readonly<Record<string, string>>;
  readonly copyMisses: Readonly<Record<string, number>>;
}

/** The tags every evidence snapshot of a step carries. */
export function baseTags(scope: SnapshotScope): Tag[] {
  return [
    { Key: SnapshotTag.incidentId, Value: scope.incidentId },
    { Key: SnapshotTag.stepId, Value: scope.stepId },
    { Key: SnapshotTag.sourceInstance, Value: scope.instanceId },
    { Key: SnapshotTag.purpose, Value: FORENSIC_PURPOSE },
  ];
}

/** The snapshots (sources and KMS copies) a step made of an instance, found by their tags. */
export function findSnapshots(ec2: EC2Client, scope: SnapshotScope): Promise<Snapshot[]> {
  return describeOwnSnapshots(ec2, [
    { Name: `tag:${SnapshotTag.incidentId}`, Values: [scope.incidentId] },
    { Name: `tag:${SnapshotTag.stepId}`, Values: [scope.stepId] },
    { Name: `tag:${SnapshotTag.sourceInstance}`, Values: [scope.instanceId] },
  ]);
}

/** What {@link recordVolumes} needs. */
export interface RecordVolumesInput {
  readonly ec2: EC2Client;
  /** EC2 in the forensics account; needed only when copying into it. */
  readonly forensicsEc2?: (() => Promise<EC2Client>) | undefined;
  readonly scope: SnapshotScope;
  readonly snapshots: readonly Snapshot[];
  /** Device names by volume id, from the instance (a terminated instance has none: tags are used). */
  readonly devices: ReadonlyMap<string, string>;
  readonly settings: SnapshotSettings;
  readonly metrics: Pick<ForensicsMetrics, 'snapshotsTotal'>;
  readonly now: () => Date;
  readonly memory: WatchMemory;
}

/**
 * Brings each volume's evidence as far as it can go now and records where it stands: a completed
 * source snapshot is copied with the customer-managed key (TRAPS 14); a completed copy is shared with
 * the forensics account and, when configured, copied into it. Every call is idempotent (copies are
 * found by their tags), so the step and each follow-up call it again until {@link isSettled}.
 */
export async function recordVolumes(input: RecordVolumesInput): Promise<{
  records: VolumeRecord[];
  memory: WatchMemory;
}> {
  const { ec2, scope, settings, metrics } = input;
  const completedObservedAt = { ...input.memory.completedObservedAt };
  const copyMisses = { ...input.memory.copyMisses };
  const observe = (snapshot: Snapshot | undefined) => {
    if (snapshot?.SnapshotId && snapshot.State === 'completed')
      completedObservedAt[snapshot.SnapshotId] ??= input.now().toISOString();
  };
  const copies = new Map(
    input.snapshots
      .filter((s) => tagOf(s, SnapshotTag.kind) === SnapshotKind.kmsCopy)
      .map((s) => [tagOf(s, SnapshotTag.sourceSnapshot), s]),
  );
  const records: VolumeRecord[] = [];
  for (const source of input.snapshots.filter((s) => tagOf(s, SnapshotTag.kind) === SnapshotKind.source)) {
    if (!source.SnapshotId || !source.VolumeId) continue;
    observe(source);
    const device = input.devices.get(source.VolumeId) ?? tagOf(source, SnapshotTag.device) ?? 'unknown';
    const tags = [
      ...baseTags(scope),
      { Key: SnapshotTag.volumeId, Value: source.VolumeId },
      { Key: SnapshotTag.device, Value: device },
    ];
    let copy: CopyRecord | null = null;
    if (settings.kmsKeyId) {
      const found = copies.get(source.SnapshotId);
      observe(found);
      if (found?.SnapshotId) {
        copy = { snapshotId: found.SnapshotId, kmsKeyId: settings.kmsKeyId, state: found.State ?? 'unknown' };
      } else if (source.State === 'completed') {
        copy = await copyWithKey(ec2, scope, source.SnapshotId, settings.kmsKeyId, tags);
        metrics.snapshotsTotal.inc({ kind: 'kms_copy' });
      } else {
        copy = { status: notCopied(source.State) };
      }
    }
    let share: ShareRecord | null = null;
    let copied: ForensicsCopyRecord | null = null;
    const accountId = settings.forensicsAccountId;
    if (accountId) {
      const ready = copy && 'snapshotId' in copy ? copy : undefined;
      if (ready?.state === 'error') {
        share = {
          accountId,
          status: `failed: the KMS copy ${ready.snapshotId} is in state error; nothing to share`,
        };
      } else if (ready) {
        share = await shareSnapshot(ec2, ready.snapshotId, accountId);
        if ('verified' in share) metrics.snapshotsTotal.inc({ kind: 'shared' });
      } else {
        share = { accountId, status: 'waiting: the KMS copy does not exist yet' };
      }
      if (settings.copyIntoForensicsAccount && accountId !== scope.accountId) {
        // Only a completed copy can be copied again; a pending one would count as "not visible".
        if ('verified' in share && ready?.state === 'completed' && input.forensicsEc2 && settings.kmsKeyId) {
          copied = await forensicsCopy({
            ec2: await input.forensicsEc2(),
            accountId,
            sharedSnapshotId: share.snapshotId,
            region: scope.region,
            kmsKeyId: settings.kmsKeyId,
            tags: [...tags, { Key: SnapshotTag.sourceSnapshot, Value: share.snapshotId }],
            misses: copyMisses[share.snapshotId] ?? 0,
          });
          if ('snapshotId' in copied) {
            if (copied.state === 'completed')
              completedObservedAt[copied.snapshotId] ??= input.now().toISOString();
            if (copied.created) metrics.snapshotsTotal.inc({ kind: 'forensics_copy' });
          } else if ('misses' in copied) {
            copyMisses[share.snapshotId] = copied.misses;
          }
        } else if ('status' in share && share.status.startsWith('failed')) {
          copied = { accountId, status: 'failed: nothing was shared to copy' };
        } else {
          copied = { accountId, status: 'waiting: the KMS copy is not completed and shared yet' };
        }
      }
    }
    records.push({
      volumeId: source.VolumeId,
      device,
      snapshotId: source.SnapshotId,
      state: source.State ?? 'unknown',
      progress: source.Progress ?? null,
      startTime: source.StartTime?.toISOString() ?? null,
      completedObservedAt: completedObservedAt[source.SnapshotId] ?? null,
      copy,
      share,
      forensicsCopy: copied,
    });
  }
  return {
    records: records.sort((a, b) => a.device.localeCompare(b.device)),
    memory: { completedObservedAt, copyMisses },
  };
}

const notCopied = (state: string | undefined) =>
  state === 'error'
    ? 'failed: the source snapshot is in state error; nothing to copy'
    : `waiting: source snapshot is ${state ?? 'unknown'}; copied once it completes`;

async function copyWithKey(
  ec2: EC2Client,
  scope: SnapshotScope,
  sourceSnapshotId: string,
  kmsKeyId: string,
  tags: readonly Tag[],
): Promise<CopyRecord> {
  const output = await ec2.send(
    new CopySnapshotCommand({
      SourceSnapshotId: sourceSnapshotId,
      SourceRegion: scope.region,
      Encrypted: true,
      KmsKeyId: kmsKeyId,
      Description: `KMS copy of ${sourceSnapshotId} for incident ${scope.incidentId}`,
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            ...tags,
            { Key: SnapshotTag.kind, Value: SnapshotKind.kmsCopy },
            { Key: SnapshotTag.sourceSnapshot, Value: sourceSnapshotId },
          ],
        },
      ],
    }),
  );
  if (!output.SnapshotId) throw new Error(`CopySnapshot of ${sourceSnapshotId} returned no id`);
  return { snapshotId: output.SnapshotId, kmsKeyId, state: 'pending' };
}

const TERMINAL = new Set(['completed', 'error']);
const waiting = (record: { status: string } | object | null) =>
  record !== null && 'status' in record && record.status.startsWith('waiting');

/**
 * What is still in progress for one volume (empty when nothing is): the source snapshot, its KMS copy,
 * the share, the copy in the forensics account. A failure is settled: it is recorded, not waited on.
 */
export function pendingWork(record: VolumeRecord): string[] {
  const pending: string[] = [];
  if (!TERMINAL.has(record.state)) pending.push(`snapshot ${record.snapshotId} is ${record.state}`);
  const copy = record.copy;
  if (copy && 'snapshotId' in copy && !TERMINAL.has(copy.state))
    pending.push(`KMS copy ${copy.snapshotId} is ${copy.state}`);
  if (copy && waiting(copy) && record.state !== 'error') pending.push(`KMS copy of ${record.snapshotId}`);
  if (waiting(record.share) && record.state !== 'error') pending.push(`share of ${record.snapshotId}`);
  const copied = record.forensicsCopy;
  if (copied && 'snapshotId' in copied && !TERMINAL.has(copied.state))
    pending.push(`forensics-account copy ${copied.snapshotId} is ${copied.state}`);
  if (copied && waiting(copied) && record.state !== 'error')
    pending.push(`forensics-account copy of ${record.snapshotId}`);
  return pending;
}

/** True when no volume has anything in progress. */
export function isSettled(records: readonly VolumeRecord[]): boolean {
  return records.every((record) => pendingWork(record).length === 0);
}
