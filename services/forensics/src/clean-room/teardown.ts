import {
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Instance,
  TerminateInstancesCommand,
  type Volume,
} from '@aws-sdk/client-ec2';
import { errorName } from '@ir/runtime';
import { CleanRoomNotReadyError, StepRefusedError } from '../errors.js';
import { findAnalysisInstances } from './analysis-instance.js';
import { CLEAN_ROOM_PURPOSE, CleanRoomTag, tagValue } from './tags.js';
import { findCleanRoomVolumes } from './volumes.js';

/** What the teardown did, read back. */
export interface TeardownRecord {
  readonly terminated: string[];
  readonly deletedVolumes: string[];
  /** Instances already terminated and volumes already gone are not listed: a rerun reports nothing new. */
  readonly readBack: { readonly instancesRemaining: string[]; readonly volumesRemaining: string[] };
}

/** Refuses anything that is not a clean-room resource of this incident (a tag filter is not enough trust). */
function assertOurs(kind: string, id: string, tags: Instance['Tags'], incidentId: string): void {
  if (
    tagValue(tags, CleanRoomTag.purpose) !== CLEAN_ROOM_PURPOSE ||
    tagValue(tags, CleanRoomTag.incidentId) !== incidentId
  ) {
    throw new StepRefusedError(
      `refusing to remove ${kind} ${id}: it is not tagged as a clean-room resource of incident ${incidentId}`,
      'clean-room-teardown-refused',
    );
  }
}

/**
 * What the teardown would remove: the analysis instances and the evidence volumes of the incident's
 * clean room (of one step when given), found by tags. Snapshots and the evidence bucket are never
 * looked at, so they cannot be removed.
 */
export async function teardownPlan(ec2: EC2Client, incidentId: string, stepId?: string) {
  const instances = await findAnalysisInstances(ec2, incidentId, stepId);
  const volumes = await findCleanRoomVolumes(ec2, incidentId, stepId);
  for (const instance of instances)
    assertOurs('instance', instance.InstanceId ?? '?', instance.Tags, incidentId);
  for (const volume of volumes) assertOurs('volume', volume.VolumeId ?? '?', volume.Tags, incidentId);
  return { instances, volumes };
}

/**
 * Terminates the analysis instances, then deletes the evidence volumes once they are detached (a
 * volume still attached to a terminating instance is retried through the queue), then reads back
 * that nothing remains. Idempotent: a rerun finds nothing and removes nothing.
 */
export async function tearDown(
  ec2: EC2Client,
  plan: { instances: readonly Instance[]; volumes: readonly Volume[] },
): Promise<TeardownRecord> {
  const instanceIds = plan.instances.map((i) => i.InstanceId as string);
  const running = plan.instances
    .filter((i) => i.State?.Name !== 'shutting-down')
    .map((i) => i.InstanceId as string);
  if (running.length > 0) await ec2.send(new TerminateInstancesCommand({ InstanceIds: running }));
  const deleted: string[] = [];
  for (const volume of plan.volumes) {
    const id = volume.VolumeId as string;
    const current = await describeVolume(ec2, id);
    if (!current) continue;
    const attachment = current.Attachments?.find((a) => a.State !== 'detached');
    if (attachment && !instanceIds.includes(attachment.InstanceId ?? '')) {
      throw new StepRefusedError(
        `evidence volume ${id} is attached to ${attachment.InstanceId}, which is not a clean-room instance; detach it by hand`,
        'clean-room-teardown-refused',
      );
    }
    if (attachment || current.State === 'in-use') {
      throw new CleanRoomNotReadyError(
        `waiting for volume ${id} to detach from terminating ${attachment?.InstanceId}`,
      );
    }
    await ec2.send(new DeleteVolumeCommand({ VolumeId: id })).catch((error: unknown) => {
      if (errorName(error) !== 'InvalidVolume.NotFound') throw error;
    });
    deleted.push(id);
  }
  const instancesRemaining = await remainingInstances(ec2, instanceIds);
  const volumesRemaining: string[] = [];
  for (const volume of plan.volumes) {
    const current = await describeVolume(ec2, volume.VolumeId as string);
    if (current && current.State !== 'deleted' && current.State !== 'deleting')
      volumesRemaining.push(current.VolumeId as string);
  }
  if (instancesRemaining.length > 0) {
    throw new CleanRoomNotReadyError(`waiting for instance(s) ${instancesRemaining.join(', ')} to terminate`);
  }
  if (volumesRemaining.length > 0) {
    throw new StepRefusedError(
      `volume(s) ${volumesRemaining.join(', ')} still exist after DeleteVolume`,
      'clean-room-teardown-not-verified',
    );
  }
  return { terminated: running, deletedVolumes: deleted, readBack: { instancesRemaining, volumesRemaining } };
}

async function describeVolume(ec2: EC2Client, volumeId: string): Promise<Volume | undefined> {
  try {
    const output = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    return output.Volumes?.[0];
  } catch (error: unknown) {
    if (errorName(error) === 'InvalidVolume.NotFound') return undefined;
    throw error;
  }
}

/** Instances of the list not yet `terminated`. */
async function remainingInstances(ec2: EC2Client, instanceIds: readonly string[]): Promise<string[]> {
  if (instanceIds.length === 0) return [];
  const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...instanceIds] }));
  return (output.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => i.State?.Name !== 'terminated')
    .map((i) => i.InstanceId as string);
}
