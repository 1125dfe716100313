import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EmulatorClients } from '@ir/testkit';

/** What containment changes on an instance, read back from the emulator. */
export interface InstanceState {
  /** Each ENI's security groups, by ENI id, sorted. */
  readonly eniGroups: Record<string, string[]>;
  readonly terminationProtection: boolean;
  readonly stopProtection: boolean;
  readonly shutdownBehavior: string;
  /** `DeleteOnTermination` of each attached volume, by volume id. */
  readonly deleteOnTermination: Record<string, boolean>;
  /** The Auto Scaling group it is in, or null. */
  readonly autoScalingGroup: string | null;
  /** Whether the target group (when one is given) lists it as a target not draining. */
  readonly inTargetGroup: boolean | null;
  /** Tags whose key starts with `ir:`. */
  readonly irTags: Record<string, string>;
}

/** Reads an instance's containment-relevant state (for before/after comparisons). */
export async function readInstanceState(
  clients: EmulatorClients,
  instanceId: string,
  targetGroupArn?: string,
): Promise<InstanceState> {
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new Error(`instance ${instanceId} not found`);
  const enis = await clients.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
    }),
  );
  const eniGroups = Object.fromEntries(
    (enis.NetworkInterfaces ?? []).map((eni) => [
      eni.NetworkInterfaceId ?? '',
      (eni.Groups ?? []).map((group) => group.GroupId ?? '').sort(),
    ]),
  );
  const attribute = (
    Attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior',
  ) => clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute }));
  const [termination, stop, shutdown] = await Promise.all([
    attribute('disableApiTermination'),
    attribute('disableApiStop'),
    attribute('instanceInitiatedShutdownBehavior'),
  ]);
  const asg = await clients.autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  let inTargetGroup: boolean | null = null;
  if (targetGroupArn) {
    const health = await clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    inTargetGroup = (health.TargetHealthDescriptions ?? []).some(
      (target) => target.Target?.Id === instanceId && target.TargetHealth?.State !== 'draining',
    );
  }
  return {
    eniGroups,
    terminationProtection: termination.DisableApiTermination?.Value === true,
    stopProtection: stop.DisableApiStop?.Value === true,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? '',
    deleteOnTermination: Object.fromEntries(
      (instance.BlockDeviceMappings ?? []).map((mapping) => [
        mapping.Ebs?.VolumeId ?? '',
        mapping.Ebs?.DeleteOnTermination === true,
      ]),
    ),
    autoScalingGroup: asg.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null,
    inTargetGroup,
    irTags: Object.fromEntries(
      (instance.Tags ?? [])
        .filter((tag) => tag.Key?.startsWith('ir:'))
        .map((tag) => [tag.Key ?? '', tag.Value ?? '']),
    ),
  };
}

/** Egress and ingress rule counts of security groups, by group id: isolation means none out. */
export async function groupRuleCounts(
  clients: EmulatorClients,
  groupIds: readonly string[],
): Promise<Record<string, { egress: number; ingress: number; name: string }>> {
  const output = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [...new Set(groupIds)] }),
  );
  return Object.fromEntries(
    (output.SecurityGroups ?? []).map((group) => [
      group.GroupId ?? '',
      {
        egress: group.IpPermissionsEgress?.length ?? 0,
        ingress: group.IpPermissions?.length ?? 0,
        name: group.GroupName ?? '',
      },
    ]),
  );
}

/** Snapshots tagged with this incident id (forensics tags every evidence snapshot). */
export async function incidentSnapshots(clients: EmulatorClients, incidentId: string): Promise<string[]> {
  const output = await clients.ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [{ Name: 'tag:ir:incident-id', Values: [incidentId] }],
    }),
  );
  return (output.Snapshots ?? []).map((snapshot) => snapshot.SnapshotId ?? '');
}
