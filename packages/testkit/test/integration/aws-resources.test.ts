import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetLoginProfileCommand, ListAccessKeysCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, GetPublicAccessBlockCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createBucket,
  createIamUser,
  createInstance,
  createRole,
  createVpc,
  type EmulatorClients,
} from '../../src/index.js';
import { accountFixture } from './fixture.js';

const opened: EmulatorClients[] = [];
afterEach(() => {
  for (const clients of opened.splice(0)) clients.destroy();
});

async function freshClients(): Promise<EmulatorClients> {
  const { clients } = await accountFixture();
  opened.push(clients);
  return clients;
}

describe('createVpc', () => {
  it('creates a VPC with subnets carved from its block', async () => {
    // Prepare
    const { ec2 } = await freshClients();

    // Act
    const vpc = await createVpc({ ec2, cidr: '10.20.0.0/16', subnets: 3, ipv6: true });

    // Assess
    const { Subnets: subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: vpc.subnetIds }),
    );
    expect(subnets.map((s) => s.VpcId)).toEqual([vpc.vpcId, vpc.vpcId, vpc.vpcId]);
    expect(subnets.map((s) => s.CidrBlock).sort()).toEqual([
      '10.20.0.0/18',
      '10.20.128.0/18',
      '10.20.64.0/18',
    ]);
    expect(subnets.every((s) => s.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock?.endsWith('/64'))).toBe(
      true,
    );
  });
});

describe('createInstance', () => {
  it('launches an instance with two ENIs in an Auto Scaling group and a target group', async () => {
    // Prepare
    const { ec2, autoScaling, elbv2 } = await freshClients();
    const vpc = await createVpc({ ec2, subnets: 2 });

    // Act
    const instance = await createInstance({
      ec2,
      subnetIds: vpc.subnetIds,
      eniCount: 2,
      volumes: [{ sizeGiB: 8 }],
      tags: { Name: 'suspect', team: 'ir' },
      autoScaling: { client: autoScaling },
      targetGroup: { client: elbv2 },
    });

    // Assess
    const { Reservations: reservations = [] } = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [instance.instanceId] }),
    );
    const described = reservations[0]?.Instances?.[0];
    const enis = described?.NetworkInterfaces ?? [];
    expect(enis.map((eni) => eni.NetworkInterfaceId).sort()).toEqual(
      [...instance.networkInterfaceIds].sort(),
    );
    expect(enis.map((eni) => eni.Attachment?.DeviceIndex).sort()).toEqual([0, 1]);
    expect(enis.flatMap((eni) => eni.Groups?.map((g) => g.GroupId) ?? []).sort()).toEqual(
      [...instance.securityGroupIds].sort(),
    );
    expect(described?.Tags).toEqual(expect.arrayContaining([{ Key: 'Name', Value: 'suspect' }]));

    const { Volumes: volumes = [] } = await ec2.send(
      new DescribeVolumesCommand({ VolumeIds: instance.volumeIds }),
    );
    expect(volumes.map((v) => v.Attachments?.[0]?.InstanceId)).toEqual(
      instance.volumeIds.map(() => instance.instanceId),
    );
    expect(volumes).toHaveLength(2); // root + the extra volume
    expect(volumes.some((v) => v.Size === 8)).toBe(true);

    const { AutoScalingInstances: inGroup = [] } = await autoScaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instance.instanceId] }),
    );
    const { AutoScalingGroups: groups = [] } = await autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [instance.asgName ?? ''] }),
    );
    expect(inGroup).toEqual([expect.objectContaining({ AutoScalingGroupName: instance.asgName })]);
    expect(groups[0]?.DesiredCapacity).toBe(1);
    expect(groups[0]?.Instances?.map((i) => i.InstanceId)).toEqual([instance.instanceId]);

    const { TargetHealthDescriptions: targets = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: instance.targetGroupArn }),
    );
    expect(targets.map((t) => t.Target?.Id)).toEqual([instance.instanceId]);
  });
});

describe('createIamUser', () => {
  it('creates a user with two access keys and a console login', async () => {
    // Prepare
    const { iam } = await freshClients();

    // Act
    const user = await createIamUser({ iam, accessKeys: 2, loginProfile: true, tags: { team: 'ir' } });

    // Assess
    const { AccessKeyMetadata: keys = [] } = await iam.send(
      new ListAccessKeysCommand({ UserName: user.userName }),
    );
    const { LoginProfile: login } = await iam.send(new GetLoginProfileCommand({ UserName: user.userName }));
    expect(keys.map((k) => k.AccessKeyId).sort()).toEqual([...user.accessKeyIds].sort());
    expect(keys.map((k) => k.Status)).toEqual(['Active', 'Active']);
    expect(login?.UserName).toBe(user.userName);
  });
});

describe('createRole', () => {
  it('creates an ordinary role and a service-linked role', async () => {
    // Prepare
    const { iam } = await freshClients();

    // Act
    const role = await createRole({ iam, path: '/ir/' });
    const linked = await createRole({ iam, serviceLinked: true });

    // Assess
    const { Roles: roles = [] } = await iam.send(new ListRolesCommand({}));
    const byName = new Map(roles.map((r) => [r.RoleName, r]));
    expect(byName.get(role.roleName)?.Path).toBe('/ir/');
    expect(byName.get(linked.roleName)?.Path).toBe('/aws-service-role/autoscaling.amazonaws.com/');
  });
});

describe('createBucket', () => {
  it('creates a bucket with a policy and a public access block', async () => {
    // Prepare
    const { s3 } = await freshClients();
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*/*' }],
    };

    // Act
    const bucket = await createBucket({ s3, policy, publicAccessBlock: { BlockPublicAcls: true } });

    // Assess
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket.bucketName }))).resolves.toBeDefined();
    const { Policy: stored } = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket.bucketName }));
    const { PublicAccessBlockConfiguration: block } = await s3.send(
      new GetPublicAccessBlockCommand({ Bucket: bucket.bucketName }),
    );
    expect(JSON.parse(stored ?? '{}')).toEqual(policy);
    expect(block?.BlockPublicAcls).toBe(true);
  });
});
