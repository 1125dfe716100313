import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { StepContext } from '@ir/runtime';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import { findAcl } from '../network/find-acl.js';
import type { ResourceTags } from './gate.js';
import { describeLiveInstance } from '../ec2/live-instance.js';

type Client = StepContext['client'];

/**
 * An instance and what its containment changes with it: the instance, each of its ENIs (their groups
 * are replaced), each EBS volume (`DeleteOnTermination`), and its Auto Scaling group (the instance is
 * detached from it). The ENIs' and volumes' own tags are read (DescribeNetworkInterfaces,
 * DescribeVolumes): an instance's description does not carry them. An ENI or volume gone meanwhile is
 * left out.
 */
export async function instanceTags(client: Client, instanceId: string): Promise<ResourceTags[]> {
  const ec2 = await client(EC2Client);
  const instance = await describeLiveInstance(ec2, instanceId);
  const read: ResourceTags[] = [{ key: `ec2-instance:${instanceId}`, tags: tagMap(instance.Tags) }];
  const eniIds = (instance.NetworkInterfaces ?? []).flatMap((eni) =>
    eni.NetworkInterfaceId ? [eni.NetworkInterfaceId] : [],
  );
  const volumeIds = (instance.BlockDeviceMappings ?? []).flatMap((mapping) =>
    mapping.Ebs?.VolumeId ? [mapping.Ebs.VolumeId] : [],
  );
  const [enis, volumes, group] = await Promise.all([
    eniIds.length === 0
      ? []
      : ec2
          .send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: 'network-interface-id', Values: eniIds }],
            }),
          )
          .then((output) => output.NetworkInterfaces ?? []),
    volumeIds.length === 0
      ? []
      : ec2
          .send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: volumeIds }] }))
          .then((output) => output.Volumes ?? []),
    autoScalingGroupTags(client, instance),
  ]);
  for (const eni of enis) {
    if (eni.NetworkInterfaceId) {
      read.push({ key: `ec2-network-interface:${eni.NetworkInterfaceId}`, tags: tagMap(eni.TagSet) });
    }
  }
  for (const volume of volumes) {
    if (volume.VolumeId) read.push({ key: `ec2-volume:${volume.VolumeId}`, tags: tagMap(volume.Tags) });
  }
  if (group) read.push(group);
  return read;
}

/**
 * The instance's Auto Scaling group and its tags. The group's name comes from the instance's
 * `aws:autoscaling:groupName` tag, else from DescribeAutoScalingInstances; its tags from
 * DescribeAutoScalingGroups (the group's own tags, propagated to instances or not).
 */
async function autoScalingGroupTags(client: Client, instance: Instance): Promise<ResourceTags | undefined> {
  const autoScaling = await client(AutoScalingClient);
  let name = tagMap(instance.Tags)['aws:autoscaling:groupName'];
  if (!name && instance.InstanceId) {
    const output = await autoScaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instance.InstanceId] }),
    );
    name = output.AutoScalingInstances?.[0]?.AutoScalingGroupName;
  }
  if (!name) return undefined;
  const output = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const group = output.AutoScalingGroups?.[0];
  if (!group) return undefined;
  return { key: `autoscaling-group:${name}`, tags: tagMap(group.Tags) };
}

/** A security group's tags (`contain.security-group-ingress` revokes its rules). */
export async function securityGroupTags(client: Client, groupId: string): Promise<ResourceTags[]> {
  const ec2 = await client(EC2Client);
  try {
    const output = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = output.SecurityGroups?.[0];
    if (!group) throw new ResourceNotFoundError(`security group ${groupId} not found`, { groupId });
    return [{ key: `ec2-security-group:${groupId}`, tags: tagMap(group.Tags) }];
  } catch (error: unknown) {
    if (hasErrorCode(error, 'InvalidGroup.NotFound', 'InvalidGroupId.Malformed')) {
      throw new ResourceNotFoundError(`security group ${groupId} not found`, { groupId });
    }
    throw error;
  }
}

/**
 * The network ACL `contain.block-ip` adds its deny to (by id, or the one associated with the subnet),
 * and every subnet associated with it: the deny applies to all of them, so a protected subnet behind
 * the same ACL protects the ACL.
 */
export async function networkAclTags(
  client: Client,
  params: { subnetId?: string | undefined; networkAclId?: string | undefined },
): Promise<ResourceTags[]> {
  const ec2 = await client(EC2Client);
  const acl = await findAcl(ec2, params);
  const read: ResourceTags[] = [{ key: `ec2-network-acl:${acl.NetworkAclId}`, tags: tagMap(acl.Tags) }];
  const subnetIds = [
    ...new Set([
      ...(params.subnetId ? [params.subnetId] : []),
      ...(acl.Associations ?? []).flatMap((association) =>
        association.SubnetId ? [association.SubnetId] : [],
      ),
    ]),
  ];
  if (subnetIds.length > 0) {
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: subnetIds }] }),
    );
    for (const subnet of subnets.Subnets ?? []) {
      if (subnet.SubnetId) read.push({ key: `ec2-subnet:${subnet.SubnetId}`, tags: tagMap(subnet.Tags) });
    }
  }
  return read;
}

/** The ENIs of an ECS task (moved to the isolation group), by id; gone ones are left out. */
export async function interfaceTags(client: Client, eniIds: readonly string[]): Promise<ResourceTags[]> {
  if (eniIds.length === 0) return [];
  const ec2 = await client(EC2Client);
  const output = await ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }],
    }),
  );
  return (output.NetworkInterfaces ?? []).flatMap((eni) =>
    eni.NetworkInterfaceId
      ? [{ key: `ec2-network-interface:${eni.NetworkInterfaceId}`, tags: tagMap(eni.TagSet) }]
      : [],
  );
}
