import { type EC2Client, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import type { InstancePreState } from './instance-pre-state.js';

type Protections = InstancePreState['attributes'];
type Volumes = InstancePreState['volumes'];

/** What containment wants: evidence survives stop and terminate calls (TRAPS 6). */
export const PROTECTED: Protections = {
  disableApiTermination: true,
  disableApiStop: true,
  shutdownBehavior: 'stop',
};

/**
 * Sets termination/stop protection and shutdown behaviour to `wanted` where they differ from
 * `current`, and each volume's DeleteOnTermination to `wantedVolumes`. Used both ways: containment
 * (wanted = protected) and rollback (wanted = the recorded pre-state). Returns what changed.
 */
export async function applyProtections(
  ec2: EC2Client,
  instanceId: string,
  current: { protections: Protections; volumes: Volumes },
  wanted: { protections: Protections; volumes: Volumes },
  dryRun: boolean,
): Promise<string[]> {
  const changes: string[] = [];
  const modify = (
    input: Omit<ConstructorParameters<typeof ModifyInstanceAttributeCommand>[0], 'InstanceId'>,
  ) =>
    sendEc2Write(
      (DryRun) => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DryRun, ...input })),
      dryRun,
    );
  if (current.protections.disableApiTermination !== wanted.protections.disableApiTermination) {
    changes.push(`set termination protection ${onOff(wanted.protections.disableApiTermination)}`);
    await modify({ DisableApiTermination: { Value: wanted.protections.disableApiTermination } });
  }
  if (current.protections.disableApiStop !== wanted.protections.disableApiStop) {
    changes.push(`set stop protection ${onOff(wanted.protections.disableApiStop)}`);
    await modify({ DisableApiStop: { Value: wanted.protections.disableApiStop } });
  }
  if (current.protections.shutdownBehavior !== wanted.protections.shutdownBehavior) {
    changes.push(`set shutdown behaviour to ${wanted.protections.shutdownBehavior}`);
    await modify({
      Attribute: 'instanceInitiatedShutdownBehavior',
      Value: wanted.protections.shutdownBehavior,
    });
  }
  for (const volume of wanted.volumes) {
    const now = current.volumes.find((candidate) => candidate.deviceName === volume.deviceName);
    if (!now || now.volumeId !== volume.volumeId || now.deleteOnTermination === volume.deleteOnTermination)
      continue;
    changes.push(
      `set DeleteOnTermination=${volume.deleteOnTermination} on ${volume.volumeId} (${volume.deviceName})`,
    );
    await modify({
      BlockDeviceMappings: [
        { DeviceName: volume.deviceName, Ebs: { DeleteOnTermination: volume.deleteOnTermination } },
      ],
    });
  }
  return changes;
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

/** The volumes as they are, with DeleteOnTermination=false everywhere: what containment wants. */
export function keptVolumes(volumes: Volumes): Volumes {
  return volumes.map((volume) => ({ ...volume, deleteOnTermination: false }));
}
