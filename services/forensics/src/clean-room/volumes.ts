import { createHash } from 'node:crypto';
import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Instance,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import { CleanRoomNotReadyError, StepRefusedError } from '../errors.js';
import type { ChosenSnapshot } from './snapshot-selection.js';
import { CLEAN_ROOM_PURPOSE, CleanRoomTag, cleanRoomFilters, tagValue } from './tags.js';

/** One evidence volume in the clean room, as read back. */
export interface CleanRoomVolume {
  readonly volumeId: string;
  readonly snapshotId: string;
  /** The suspect's volume the snapshot was taken from, and its device there. */
  readonly sourceVolumeId: string;
  readonly sourceDevice: string;
  /** The device name it is attached as on the analysis instance. */
  readonly device: string;
  readonly state: string;
  readonly attachedTo: string | null;
}

/** The clean room's volumes of an incident (and step), whatever their state but deleted. */
export async function findCleanRoomVolumes(
  ec2: EC2Client,
  incidentId: string,
  stepId?: string,
): Promise<Volume[]> {
  const volumes: Volume[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeVolumesCommand({
        Filters: cleanRoomFilters(incidentId, stepId),
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    volumes.push(...(page.Volumes ?? []).filter((v) => v.State !== 'deleted' && v.State !== 'deleting'));
    nextToken = page.NextToken;
  } while (nextToken);
  // The analysis instance's own root volume carries the tags too (from RunInstances); evidence
  // volumes are the ones made from a snapshot we chose.
  return volumes.filter((v) => tagValue(v.Tags, CleanRoomTag.sourceSnapshot) !== undefined);
}

/** Device names for evidence volumes, in order; the first free ones are used. */
const DEVICES = 'fghijklmnop'.split('').map((letter) => `/dev/sd${letter}`);

/**
 * Creates, for every chosen snapshot without one, a volume in the analysis instance's zone, tagged
 * with the snapshot and the suspect's volume and device. Returns every evidence volume of the step.
 */
export async function ensureVolumes(
  ec2: EC2Client,
  snapshots: readonly ChosenSnapshot[],
  availabilityZone: string,
  tags: readonly Tag[],
  existing: readonly Volume[],
): Promise<{ volumes: Volume[]; created: string[] }> {
  const have = new Set(existing.map((v) => tagValue(v.Tags, CleanRoomTag.sourceSnapshot)));
  const volumes = [...existing];
  const created: string[] = [];
  for (const snapshot of snapshots) {
    if (have.has(snapshot.snapshotId)) continue;
    const volume = await ec2.send(
      new CreateVolumeCommand({
        // A volume just created may not show in a tag search yet: the token makes a repeat return it.
        ClientToken: createHash('sha256')
          .update(
            `${tagValue(tags, CleanRoomTag.incidentId)}/${tagValue(tags, CleanRoomTag.stepId)}/${snapshot.snapshotId}`,
          )
          .digest('hex')
          .slice(0, 64),
        SnapshotId: snapshot.snapshotId,
        AvailabilityZone: availabilityZone,
        VolumeType: 'gp3',
        Encrypted: true,
        TagSpecifications: [
          {
            ResourceType: 'volume',
            Tags: [
              ...tags,
              { Key: CleanRoomTag.sourceSnapshot, Value: snapshot.snapshotId },
              { Key: CleanRoomTag.sourceVolume, Value: snapshot.volumeId },
              { Key: CleanRoomTag.device, Value: snapshot.device },
            ],
          },
        ],
      }),
    );
    if (!volume.VolumeId) throw new Error(`CreateVolume from ${snapshot.snapshotId} returned no volume id`);
    created.push(volume.VolumeId);
    volumes.push(volume);
  }
  return { volumes, created };
}

/**
 * Every chosen snapshot must have its volume before the investigation: one not visible yet (tags are
 * eventually consistent) is waited for, never investigated without.
 */
export function assertVolumeForEach(snapshots: readonly ChosenSnapshot[], volumes: readonly Volume[]): void {
  const missing = snapshots.filter(
    (s) => !volumes.some((v) => tagValue(v.Tags, CleanRoomTag.sourceSnapshot) === s.snapshotId),
  );
  if (missing.length > 0) {
    throw new CleanRoomNotReadyError(
      `waiting for the volume(s) from ${missing.map((s) => s.snapshotId).join(', ')} to be visible`,
    );
  }
}

/**
 * Attaches every evidence volume not yet attached to the analysis instance. The instance must have
 * passed `assertAnalysisInstance` (never the suspect); a volume attached anywhere else, or not tagged
 * as a clean-room volume, is refused; one still being created is retried.
 */
export async function attachVolumes(
  ec2: EC2Client,
  instance: Instance,
  volumes: readonly Volume[],
  suspectInstanceId: string,
): Promise<string[]> {
  const instanceId = instance.InstanceId as string;
  if (instanceId === suspectInstanceId) {
    throw new StepRefusedError(
      `refusing to attach evidence volumes to the suspect instance ${suspectInstanceId}`,
      'clean-room-instance-refused',
    );
  }
  const used = new Set(
    [...(instance.BlockDeviceMappings ?? []).map((m) => m.DeviceName), instance.RootDeviceName].filter(
      Boolean,
    ),
  );
  for (const volume of volumes) {
    for (const attachment of volume.Attachments ?? []) used.add(attachment.Device);
  }
  const attached: string[] = [];
  for (const volume of volumes) {
    const id = volume.VolumeId as string;
    if (tagValue(volume.Tags, CleanRoomTag.purpose) !== CLEAN_ROOM_PURPOSE) {
      throw new StepRefusedError(`volume ${id} is not a clean-room volume`, 'clean-room-volume-refused');
    }
    const attachment = volume.Attachments?.[0];
    if (attachment) {
      if (attachment.InstanceId !== instanceId) {
        throw new StepRefusedError(
          `evidence volume ${id} is attached to ${attachment.InstanceId}, not the analysis instance ${instanceId}`,
          'clean-room-volume-refused',
        );
      }
      continue;
    }
    if (volume.State === 'creating') throw new CleanRoomNotReadyError(`waiting for volume ${id} (creating)`);
    if (volume.State !== 'available') {
      throw new StepRefusedError(`evidence volume ${id} is ${volume.State}`, 'clean-room-volume-refused');
    }
    const device = DEVICES.find((d) => !used.has(d));
    if (!device)
      throw new StepRefusedError('no free device name for another evidence volume', 'too-many-volumes');
    used.add(device);
    await ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceId, Device: device }));
    attached.push(id);
  }
  return attached;
}

/**
 * Reads the evidence volumes back: each must be attached to the analysis instance (an attachment in
 * progress is retried). Returns what the incident records.
 */
export async function readBackVolumes(
  ec2: EC2Client,
  volumeIds: readonly string[],
  instanceId: string,
): Promise<CleanRoomVolume[]> {
  if (volumeIds.length === 0) return [];
  const output = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [...volumeIds] }));
  const records: CleanRoomVolume[] = [];
  for (const volume of output.Volumes ?? []) {
    const attachment = volume.Attachments?.[0];
    if (attachment?.InstanceId !== instanceId) {
      throw new StepRefusedError(
        `evidence volume ${volume.VolumeId} is not attached to the analysis instance ${instanceId} after AttachVolume`,
        'clean-room-attach-not-verified',
      );
    }
    if (attachment.State !== 'attached') {
      throw new CleanRoomNotReadyError(
        `waiting for volume ${volume.VolumeId} (${attachment.State ?? 'attaching'})`,
      );
    }
    records.push({
      volumeId: volume.VolumeId as string,
      snapshotId: volume.SnapshotId ?? 'unknown',
      sourceVolumeId: tagValue(volume.Tags, CleanRoomTag.sourceVolume) ?? 'unknown',
      sourceDevice: tagValue(volume.Tags, CleanRoomTag.device) ?? 'unknown',
      device: attachment.Device ?? 'unknown',
      state: volume.State ?? 'unknown',
      attachedTo: attachment.InstanceId ?? null,
    });
  }
  return records.sort((a, b) => a.device.localeCompare(b.device));
}
