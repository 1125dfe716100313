import type { EC2Client, Snapshot } from '@aws-sdk/client-ec2';
import { describeOwnSnapshots, SnapshotTag } from '../snapshots/snapshot-tags.js';
import { CleanRoomNotReadyError, StepRefusedError } from '../errors.js';
import { tagValue } from './tags.js';

/** One evidence snapshot chosen for a volume of the suspect instance. */
export interface ChosenSnapshot {
  readonly snapshotId: string;
  /** The suspect's volume it was taken from. */
  readonly volumeId: string;
  readonly device: string;
  readonly kind: SnapshotKind;
  readonly state: string;
  readonly encrypted: boolean;
  readonly kmsKeyId: string | null;
}

/** Kinds of evidence snapshot, best first for a given place. */
export type SnapshotKind = 'forensics-copy' | 'kms-copy' | 'source';

/**
 * Which kinds are usable where the clean room runs. In the forensics account only its own copies
 * (the member account's snapshots are not ours there); in the target account the KMS copy when there
 * is one (it is what was shared and what the teardown cannot confuse with the source), else the source.
 */
export function kindsFor(inForensicsAccount: boolean): readonly SnapshotKind[] {
  return inForensicsAccount ? ['forensics-copy'] : ['kms-copy', 'source'];
}

/**
 * Picks one snapshot per suspect volume: the best kind, and of that kind the newest. Pure, so the
 * choice is unit-tested. Snapshots naming another source instance are ignored.
 */
export function chooseSnapshots(
  snapshots: readonly Snapshot[],
  suspectInstanceId: string,
  kinds: readonly SnapshotKind[],
): ChosenSnapshot[] {
  const byVolume = new Map<string, Snapshot>();
  const rank = (s: Snapshot) => kinds.indexOf(tagValue(s.Tags, SnapshotTag.kind) as SnapshotKind);
  for (const snapshot of snapshots) {
    const source = tagValue(snapshot.Tags, SnapshotTag.sourceInstance);
    if (source !== undefined && source !== suspectInstanceId) continue;
    if (rank(snapshot) < 0 || !snapshot.SnapshotId) continue;
    const volumeId = tagValue(snapshot.Tags, SnapshotTag.volumeId) ?? snapshot.VolumeId;
    if (!volumeId) continue;
    const current = byVolume.get(volumeId);
    const better =
      !current ||
      rank(snapshot) < rank(current) ||
      (rank(snapshot) === rank(current) &&
        (snapshot.StartTime?.getTime() ?? 0) > (current.StartTime?.getTime() ?? 0));
    if (better) byVolume.set(volumeId, snapshot);
  }
  return [...byVolume.entries()]
    .map(([volumeId, s]) => ({
      snapshotId: s.SnapshotId as string,
      volumeId,
      device: tagValue(s.Tags, SnapshotTag.device) ?? 'unknown',
      kind: tagValue(s.Tags, SnapshotTag.kind) as SnapshotKind,
      state: s.State ?? 'unknown',
      encrypted: s.Encrypted ?? false,
      kmsKeyId: s.KmsKeyId ?? null,
    }))
    .sort((a, b) => a.device.localeCompare(b.device) || a.volumeId.localeCompare(b.volumeId));
}

/** Where the snapshots are looked for, for messages. */
export interface SnapshotPlace {
  readonly accountId: string;
  readonly region: string;
  readonly inForensicsAccount: boolean;
}

/**
 * Finds the incident's evidence snapshots of the suspect in `place` and checks they can be used:
 * none at all is a refusal (nothing to investigate: run snapshot-volumes first); one still pending
 * is retried through the queue, and the step's time-out bounds the wait.
 */
export async function findEvidenceSnapshots(
  ec2: EC2Client,
  incidentId: string,
  suspectInstanceId: string,
  place: SnapshotPlace,
): Promise<ChosenSnapshot[]> {
  const snapshots = await describeOwnSnapshots(ec2, [
    { Name: `tag:${SnapshotTag.incidentId}`, Values: [incidentId] },
  ]);
  const kinds = kindsFor(place.inForensicsAccount);
  const chosen = chooseSnapshots(snapshots, suspectInstanceId, kinds);
  if (chosen.length === 0) {
    throw new StepRefusedError(
      `no evidence snapshot of ${suspectInstanceId} for incident ${incidentId} in ${place.accountId}/${place.region} (looked for ${SnapshotTag.kind}=${kinds.join(' or ')}); run evidence.snapshot-volumes${place.inForensicsAccount ? ' and the copy to the forensics account' : ''} first`,
      'no-evidence-snapshot',
      { context: { incidentId, instanceId: suspectInstanceId, accountId: place.accountId } },
    );
  }
  const notReady = chosen.filter((s) => s.state !== 'completed');
  if (notReady.length > 0) {
    throw new CleanRoomNotReadyError(
      `waiting for snapshot ${notReady.map((s) => `${s.snapshotId} (${s.state})`).join(', ')}`,
      { context: { snapshots: notReady.map((s) => s.snapshotId) } },
    );
  }
  return chosen;
}
