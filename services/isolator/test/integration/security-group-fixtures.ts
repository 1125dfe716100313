import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { createVpc } from '@ir/testkit';
import { normalisedIngress } from '../../src/aws/admin-ingress-rules.js';

/*
 * A security group with a known mix of world-open admin rules and rules that must stay, and its rule
 * set read back. Used by the isolator's integration tests and the end-to-end remediation test;
 * a candidate for @ir/testkit's factories.
 */

/** The rules createMixedSecurityGroup makes that must stay, as normalised signatures. */
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
 * traffic (protocol -1) from ::/0. Kept:
 * SSH from the office range, HTTPS from the world, 8080 from the world.
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

/** The group's ingress rules in comparable form (sorted signatures), read from the emulator. */
export async function ingressRuleSet(ec2: EC2Client, groupId: string): Promise<string[]> {
  const output = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return normalisedIngress(output.SecurityGroupRules ?? []);
}

/** The group's tags, read from the emulator. */
export async function groupTags(ec2: EC2Client, groupId: string): Promise<Record<string, string>> {
  const output = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return Object.fromEntries((output.SecurityGroups?.[0]?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
}
