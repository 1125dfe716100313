import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AwsEndpointSettings, baseClientConfig } from '@ir/runtime';
import { createBucket } from './bucket.js';
import { createVpc } from './vpc.js';

/*
 * Resources for the remediation tests (the isolator's and the end-to-end ones): CloudTrail trails,
 * and a security group with a known mix of world-open admin rules and rules that must stay. The
 * read-backs are written here, independently of the isolator's own rule handling, so a test never
 * checks the isolator with the isolator's code.
 */

/** A CloudTrail client on the emulator (`emulatorClients` has none). */
export function cloudTrailClient(settings: AwsEndpointSettings): CloudTrailClient {
  return new CloudTrailClient(baseClientConfig(settings));
}

/** A trail writing to a new bucket, logging or stopped as asked; returns its ARN. */
export async function createTrail(
  clients: { s3: S3Client; cloudtrail: CloudTrailClient },
  options: { name: string; logging: boolean },
): Promise<string> {
  const bucket = await createBucket({ s3: clients.s3, name: `${options.name}-logs-${Date.now()}` });
  const created = await clients.cloudtrail.send(
    new CreateTrailCommand({ Name: options.name, S3BucketName: bucket.bucketName }),
  );
  const arn = created.TrailARN;
  if (!arn) throw new Error('CreateTrail returned no ARN');
  await clients.cloudtrail.send(
    options.logging ? new StartLoggingCommand({ Name: arn }) : new StopLoggingCommand({ Name: arn }),
  );
  return arn;
}

/** Whether the trail logs, read from the emulator. */
export async function isLogging(cloudtrail: CloudTrailClient, trail: string): Promise<boolean> {
  return (await cloudtrail.send(new GetTrailStatusCommand({ Name: trail }))).IsLogging === true;
}

/** The trail's tags, read from the emulator. */
export async function trailTags(cloudtrail: CloudTrailClient, arn: string): Promise<Record<string, string>> {
  const output = await cloudtrail.send(new ListTagsCommand({ ResourceIdList: [arn] }));
  return Object.fromEntries((output.ResourceTagList?.[0]?.TagsList ?? []).map((t) => [t.Key, t.Value]));
}

/** The rules createMixedSecurityGroup makes that must stay, as {@link ingressRuleSet} writes them. */
export const KEPT_RULES = [
  'tcp|22-22|198.51.100.0/24|office ssh',
  'tcp|443-443|0.0.0.0/0|https',
  'tcp|8080-8080|0.0.0.0/0|app',
];

const tcp = (port: number, cidr: string, description?: string, to = port): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: to,
  ...(cidr.includes(':')
    ? { Ipv6Ranges: [{ CidrIpv6: cidr, ...(description ? { Description: description } : {}) }] }
    : { IpRanges: [{ CidrIp: cidr, ...(description ? { Description: description } : {}) }] }),
});

/**
 * A group whose ingress mixes what must go and what must stay. World-open admin rules: SSH from
 * 0.0.0.0/0 and ::/0, RDP from 0.0.0.0/0, a 3000-3400 range from 0.0.0.0/0 (includes 3389), all
 * traffic (protocol -1) from ::/0. Kept: SSH from the office range, HTTPS from the world, 8080 from
 * the world.
 */
export async function createMixedSecurityGroup(ec2: EC2Client): Promise<string> {
  const vpc = await createVpc({ ec2, ipv6: true });
  const created = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `ir-test-mixed-${Date.now()}`,
      Description: 'remediation test',
      VpcId: vpc.vpcId,
    }),
  );
  const groupId = created.GroupId;
  if (!groupId) throw new Error('CreateSecurityGroup returned no id');
  const permissions = [
    tcp(22, '0.0.0.0/0', 'ssh from anywhere'),
    tcp(22, '::/0', 'ssh from anywhere v6'),
    tcp(3389, '0.0.0.0/0'),
    tcp(3000, '0.0.0.0/0', 'dev range', 3400),
    tcp(22, '198.51.100.0/24', 'office ssh'),
    tcp(443, '0.0.0.0/0', 'https'),
    tcp(8080, '0.0.0.0/0', 'app'),
    { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'everything v6' }] },
  ];
  for (const permission of permissions) {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
    );
  }
  return groupId;
}

/** `protocol|from-to|source|description`; protocol -1 has no ports. */
function signature(rule: SecurityGroupRule): string {
  const raw = (rule.IpProtocol ?? '').toLowerCase();
  const protocol = raw === 'all' ? '-1' : raw === '6' ? 'tcp' : raw === '17' ? 'udp' : raw;
  const ports = protocol === '-1' ? '' : `${rule.FromPort ?? -1}-${rule.ToPort ?? -1}`;
  const source = (
    rule.CidrIpv4 ??
    rule.CidrIpv6 ??
    rule.ReferencedGroupInfo?.GroupId ??
    rule.PrefixListId ??
    ''
  ).toLowerCase();
  return `${protocol}|${ports}|${source}|${rule.Description ?? ''}`;
}

/** The group's ingress rules in comparable form (sorted signatures), read from the emulator. */
export async function ingressRuleSet(ec2: EC2Client, groupId: string): Promise<string[]> {
  const output = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return (output.SecurityGroupRules ?? [])
    .filter((rule) => rule.IsEgress !== true)
    .map(signature)
    .sort();
}

/** The group's tags, read from the emulator. */
export async function groupTags(ec2: EC2Client, groupId: string): Promise<Record<string, string>> {
  const output = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return Object.fromEntries((output.SecurityGroups?.[0]?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
}
