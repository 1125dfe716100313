import {
  AttachInstancesCommand,
  type AutoScalingClient,
  CreateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AttachNetworkInterfaceCommand,
  AttachVolumeCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Instance,
  type _InstanceType,
  type ResourceType,
  RunInstancesCommand,
  waitUntilVolumeAvailable,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceSetupError } from '../errors.js';
import { tagList, uniqueName } from './names.js';

export interface CreateInstanceOptions {
  readonly ec2: EC2Client;
  /** The instance and all its ENIs go in the first subnet (ENIs must share the instance's zone). */
  readonly subnetIds: readonly string[];
  /** Network interfaces in total (≥ 1); each extra one has its own security group. */
  readonly eniCount?: number;
  /** Security groups created for the primary ENI; one random-named group by default. */
  readonly securityGroupNames?: readonly string[];
  /** Extra EBS volumes attached at /dev/sdf, /dev/sdg, … */
  readonly volumes?: readonly { readonly sizeGiB: number }[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Instance profile name or ARN. */
  readonly iamInstanceProfile?: string;
  /** Defaults to the first Amazon-owned image the emulator lists. */
  readonly imageId?: string;
  readonly instanceType?: _InstanceType;
  /** Put the instance in an Auto Scaling group (created from a launch template). */
  readonly autoScaling?: { readonly client: AutoScalingClient; readonly groupName?: string };
  /** Register the instance in a new instance target group in the VPC. */
  readonly targetGroup?: { readonly client: ElasticLoadBalancingV2Client; readonly name?: string };
}

export interface CreatedInstance {
  readonly instanceId: string;
  /** Primary first, then the extra ENIs by device index. */
  readonly networkInterfaceIds: string[];
  readonly securityGroupIds: string[];
  /** Every attached EBS volume, root included. */
  readonly volumeIds: string[];
  readonly asgName?: string;
  readonly targetGroupArn?: string;
}

/** A running instance shaped like the ones the isolator and forensics act on. */
export async function createInstance(options: CreateInstanceOptions): Promise<CreatedInstance> {
  const { ec2, eniCount = 1, tags, instanceType = 't3.micro' } = options;
  const subnetId = options.subnetIds[0];
  if (!subnetId) throw new ResourceSetupError('createInstance needs at least one subnet');
  if (!Number.isInteger(eniCount) || eniCount < 1)
    throw new ResourceSetupError(`eniCount must be ≥ 1: ${eniCount}`);
  const { vpcId, zone } = await subnetPlacement(ec2, subnetId);
  const imageId = options.imageId ?? (await defaultImageId(ec2));
  const tagSpecs = (...types: ResourceType[]) =>
    tags ? types.map((type) => ({ ResourceType: type, Tags: tagList(tags) })) : undefined;

  const groupNames = options.securityGroupNames ?? [uniqueName('ir-test-sg')];
  const primaryGroupIds = await Promise.all(groupNames.map((name) => createSecurityGroup(ec2, vpcId, name)));
  const { Instances: launched = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: instanceType,
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: primaryGroupIds }],
      IamInstanceProfile: profileSpec(options.iamInstanceProfile),
      TagSpecifications: tagSpecs('instance', 'volume', 'network-interface'),
    }),
  );
  const instanceId = launched[0]?.InstanceId;
  if (!instanceId) throw new ResourceSetupError('RunInstances returned no instance');

  const extraGroupIds: string[] = [];
  for (let deviceIndex = 1; deviceIndex < eniCount; deviceIndex++) {
    const groupId = await createSecurityGroup(ec2, vpcId, uniqueName(`ir-test-eni${deviceIndex}-sg`));
    extraGroupIds.push(groupId);
    const { NetworkInterface: eni } = await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Groups: [groupId],
        TagSpecifications: tagSpecs('network-interface'),
      }),
    );
    if (!eni?.NetworkInterfaceId) throw new ResourceSetupError('CreateNetworkInterface returned no id');
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        InstanceId: instanceId,
        NetworkInterfaceId: eni.NetworkInterfaceId,
        DeviceIndex: deviceIndex,
      }),
    );
  }

  for (const [index, volume] of (options.volumes ?? []).entries()) {
    const { VolumeId: volumeId } = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: zone,
        Size: volume.sizeGiB,
        TagSpecifications: tagSpecs('volume'),
      }),
    );
    if (!volumeId) throw new ResourceSetupError('CreateVolume returned no id');
    await waitUntilVolumeAvailable({ client: ec2, maxWaitTime: 60 }, { VolumeIds: [volumeId] });
    await ec2.send(
      new AttachVolumeCommand({
        InstanceId: instanceId,
        VolumeId: volumeId,
        Device: `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`,
      }),
    );
  }

  const asgName = options.autoScaling
    ? await joinAutoScalingGroup(ec2, options.autoScaling, { instanceId, imageId, instanceType, subnetId })
    : undefined;
  const targetGroupArn = options.targetGroup
    ? await registerInTargetGroup(options.targetGroup, vpcId, instanceId)
    : undefined;

  const instance = await describeInstance(ec2, instanceId);
  return {
    instanceId,
    networkInterfaceIds: [...(instance.NetworkInterfaces ?? [])]
      .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0))
      .flatMap((eni) => (eni.NetworkInterfaceId ? [eni.NetworkInterfaceId] : [])),
    securityGroupIds: [...primaryGroupIds, ...extraGroupIds],
    volumeIds: (instance.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : [])),
    ...(asgName ? { asgName } : {}),
    ...(targetGroupArn ? { targetGroupArn } : {}),
  };
}

async function subnetPlacement(ec2: EC2Client, subnetId: string): Promise<{ vpcId: string; zone: string }> {
  const { Subnets: subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  const vpcId = subnets[0]?.VpcId;
  const zone = subnets[0]?.AvailabilityZone;
  if (!vpcId || !zone) throw new ResourceSetupError(`subnet ${subnetId} not found`);
  return { vpcId, zone };
}

async function defaultImageId(ec2: EC2Client): Promise<string> {
  const { Images: images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.find((image) => image.ImageId)?.ImageId;
  if (!imageId) throw new ResourceSetupError('the emulator lists no Amazon image; pass imageId');
  return imageId;
}

async function createSecurityGroup(ec2: EC2Client, vpcId: string, name: string): Promise<string> {
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: 'ir testkit', VpcId: vpcId }),
  );
  if (!groupId) throw new ResourceSetupError(`CreateSecurityGroup returned no id for ${name}`);
  return groupId;
}

function profileSpec(profile: string | undefined): { Arn: string } | { Name: string } | undefined {
  if (profile === undefined) return undefined;
  return profile.startsWith('arn:') ? { Arn: profile } : { Name: profile };
}

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  const { Reservations: reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const instance = reservations[0]?.Instances?.[0];
  if (!instance) throw new ResourceSetupError(`instance ${instanceId} not found after launch`);
  return instance;
}

/**
 * An empty group (desired 0) from a launch template, then AttachInstances, which raises desired
 * capacity to 1: the group then neither launches a second instance nor terminates ours.
 */
async function joinAutoScalingGroup(
  ec2: EC2Client,
  options: NonNullable<CreateInstanceOptions['autoScaling']>,
  launch: { instanceId: string; imageId: string; instanceType: _InstanceType; subnetId: string },
): Promise<string> {
  const groupName = options.groupName ?? uniqueName('ir-test-asg');
  const { LaunchTemplate: template } = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: uniqueName('ir-test-lt'),
      LaunchTemplateData: { ImageId: launch.imageId, InstanceType: launch.instanceType },
    }),
  );
  if (!template?.LaunchTemplateId) throw new ResourceSetupError('CreateLaunchTemplate returned no id');
  await options.client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: groupName,
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplateId, Version: '$Latest' },
      MinSize: 0,
      MaxSize: 2,
      DesiredCapacity: 0,
      VPCZoneIdentifier: launch.subnetId,
    }),
  );
  await options.client.send(
    new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [launch.instanceId] }),
  );
  return groupName;
}

async function registerInTargetGroup(
  options: NonNullable<CreateInstanceOptions['targetGroup']>,
  vpcId: string,
  instanceId: string,
): Promise<string> {
  const { TargetGroups: groups = [] } = await options.client.send(
    new CreateTargetGroupCommand({
      // Target group names are at most 32 characters.
      Name: options.name ?? uniqueName('ir-test-tg'),
      Protocol: 'HTTP',
      Port: 80,
      VpcId: vpcId,
      TargetType: 'instance',
    }),
  );
  const targetGroupArn = groups[0]?.TargetGroupArn;
  if (!targetGroupArn) throw new ResourceSetupError('CreateTargetGroup returned no ARN');
  await options.client.send(
    new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: instanceId, Port: 80 }] }),
  );
  return targetGroupArn;
}
