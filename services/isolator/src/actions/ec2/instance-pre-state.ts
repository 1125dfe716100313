import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { z } from 'zod';
import { ResourceNotFoundError } from '../../errors.js';
import { IrTag, previousValues, tagMap } from '../../aws/tags.js';

/** The tags containment sets on an instance; their previous values are part of the pre-state. */
export const INSTANCE_TAG_KEYS = [IrTag.incidentId, IrTag.status, IrTag.containedAt] as const;

/** One load-balancer registration of the instance (instance id, or one of its private IPs). */
export const TargetRegistration = z.object({
  targetGroupArn: z.string().min(1),
  id: z.string().min(1),
  port: z.number().int().optional(),
  availabilityZone: z.string().optional(),
});
/** @see TargetRegistration */
export type TargetRegistration = z.infer<typeof TargetRegistration>;

/** An Auto Scaling group's capacity: desired, minimum and maximum number of instances. */
export const AutoScalingCapacity = z.object({
  desired: z.number().int().min(0),
  min: z.number().int().min(0),
  max: z.number().int().min(0),
});
/** @see AutoScalingCapacity */
export type AutoScalingCapacity = z.infer<typeof AutoScalingCapacity>;

/** What `contain.ec2-instance` replaces and `rollback.ec2-instance` puts back. */
export const InstancePreState = z.object({
  instanceId: z.string().min(1),
  vpcId: z.string().min(1),
  networkInterfaces: z.array(
    z.object({ networkInterfaceId: z.string().min(1), groupIds: z.array(z.string().min(1)).min(1) }),
  ),
  attributes: z.object({
    disableApiTermination: z.boolean(),
    disableApiStop: z.boolean(),
    shutdownBehavior: z.enum(['stop', 'terminate']),
  }),
  volumes: z.array(
    z.object({ deviceName: z.string().min(1), volumeId: z.string(), deleteOnTermination: z.boolean() }),
  ),
  autoScalingGroupName: z.string().nullable(),
  /**
   * The group's capacity before containment (absent in pre-states recorded before it was, and when
   * the instance is in no group). The rollback reports it beside the capacity it leaves.
   */
  autoScalingCapacity: AutoScalingCapacity.optional(),
  targets: z.array(TargetRegistration),
  tags: z.record(z.string(), z.string().nullable()),
});
/** @see InstancePreState */
export type InstancePreState = z.infer<typeof InstancePreState>;

/** The instance as DescribeInstances returns it; NotFound is a permanent, named failure. */
export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = output.Reservations?.[0]?.Instances?.[0];
  if (!instance) throw new ResourceNotFoundError(`instance ${instanceId} not found`, { instanceId });
  return instance;
}

/** Termination protection, stop protection and shutdown behaviour, read back from EC2. */
export async function readProtections(
  ec2: EC2Client,
  instanceId: string,
): Promise<InstancePreState['attributes']> {
  const read = (
    Attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior',
  ) => ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute }));
  const [termination, stop, shutdown] = await Promise.all([
    read('disableApiTermination'),
    read('disableApiStop'),
    read('instanceInitiatedShutdownBehavior'),
  ]);
  return {
    disableApiTermination: truthy(termination.DisableApiTermination?.Value),
    disableApiStop: truthy(stop.DisableApiStop?.Value),
    shutdownBehavior:
      shutdown.InstanceInitiatedShutdownBehavior?.Value === 'terminate' ? 'terminate' : 'stop',
  };
}

/** Some endpoints answer attribute booleans as strings. */
function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The instance's ENIs, primary first, with their groups. */
export function interfacesOf(instance: Instance): InstancePreState['networkInterfaces'] {
  return [...(instance.NetworkInterfaces ?? [])]
    .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
    .flatMap((eni) =>
      eni.NetworkInterfaceId
        ? [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              groupIds: (eni.Groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
            },
          ]
        : [],
    );
}

/** The Auto Scaling group the instance belongs to, if any. */
export async function autoScalingGroupOf(
  autoScaling: AutoScalingClient,
  instanceId: string,
): Promise<string | null> {
  const output = await autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  return output.AutoScalingInstances?.[0]?.AutoScalingGroupName ?? null;
}

/** The capacity of Auto Scaling group `groupName`, or undefined when it no longer exists. */
export async function autoScalingCapacityOf(
  autoScaling: AutoScalingClient,
  groupName: string,
): Promise<AutoScalingCapacity | undefined> {
  const output = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
  );
  const group = output.AutoScalingGroups?.[0];
  if (!group || group.DesiredCapacity === undefined) return undefined;
  return { desired: group.DesiredCapacity, min: group.MinSize ?? 0, max: group.MaxSize ?? 0 };
}

/**
 * Every target-group registration of the instance in its VPC: by instance id, or by one of its
 * private IPs (ip-type groups). Paginated over all target groups (TRAPS 5).
 */
export async function targetRegistrationsOf(
  elbv2: ElasticLoadBalancingV2Client,
  instance: Instance,
): Promise<TargetRegistration[]> {
  const instanceId = instance.InstanceId ?? '';
  const ips = new Set(
    (instance.NetworkInterfaces ?? []).flatMap((eni) =>
      (eni.PrivateIpAddresses ?? []).flatMap((ip) => (ip.PrivateIpAddress ? [ip.PrivateIpAddress] : [])),
    ),
  );
  const registrations: TargetRegistration[] = [];
  for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, {})) {
    for (const group of page.TargetGroups ?? []) {
      if (!group.TargetGroupArn || group.VpcId !== instance.VpcId) continue;
      if (group.TargetType !== 'instance' && group.TargetType !== 'ip') continue;
      const health = await elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      for (const description of health.TargetHealthDescriptions ?? []) {
        const target = description.Target;
        if (!target?.Id || (target.Id !== instanceId && !ips.has(target.Id))) continue;
        // A draining target is already on its way out; it takes no new connections.
        if (description.TargetHealth?.State === 'draining') continue;
        registrations.push({
          targetGroupArn: group.TargetGroupArn,
          id: target.Id,
          ...(target.Port !== undefined ? { port: target.Port } : {}),
          ...(target.AvailabilityZone ? { availabilityZone: target.AvailabilityZone } : {}),
        });
      }
    }
  }
  return registrations;
}

/** Reads everything containment is about to change, before it changes anything. */
export async function readInstancePreState(
  clients: { ec2: EC2Client; autoScaling: AutoScalingClient; elbv2: ElasticLoadBalancingV2Client },
  instance: Instance,
): Promise<InstancePreState> {
  const instanceId = instance.InstanceId ?? '';
  const [attributes, autoScalingGroupName, targets] = await Promise.all([
    readProtections(clients.ec2, instanceId),
    autoScalingGroupOf(clients.autoScaling, instanceId),
    targetRegistrationsOf(clients.elbv2, instance),
  ]);
  const autoScalingCapacity = autoScalingGroupName
    ? await autoScalingCapacityOf(clients.autoScaling, autoScalingGroupName)
    : undefined;
  return {
    instanceId,
    vpcId: instance.VpcId ?? '',
    networkInterfaces: interfacesOf(instance),
    attributes,
    volumes: volumesOf(instance),
    autoScalingGroupName,
    ...(autoScalingCapacity ? { autoScalingCapacity } : {}),
    targets,
    tags: previousValues(tagMap(instance.Tags), INSTANCE_TAG_KEYS),
  };
}

/** The instance's EBS volumes and their DeleteOnTermination flags. */
export function volumesOf(instance: Instance): InstancePreState['volumes'] {
  return (instance.BlockDeviceMappings ?? []).flatMap((mapping) =>
    mapping.DeviceName && mapping.Ebs
      ? [
          {
            deviceName: mapping.DeviceName,
            volumeId: mapping.Ebs.VolumeId ?? '',
            deleteOnTermination: mapping.Ebs.DeleteOnTermination === true,
          },
        ]
      : [],
  );
}
