import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { RecordedIngressRule } from '../../aws/admin-ingress-rules.js';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';

/**
 * Record tags `contain.security-group-ingress` writes on the group it changes, before revoking: which
 * incident revoked rules, and the revoked rules themselves (JSON over `ir-record:revoked-ingress-0…n`).
 * They are records, not guards: a repeated command (a lost answer) reads them to report every rule
 * the first run revoked, and nothing trusts them. No IAM statement has a condition on them, so writing
 * one grants nothing, which is why the isolator may write them on a customer's group (the `ir:`
 * namespace is reserved for keys written only at creation, TRAPS 21). Why not `ir:managed-by`: that
 * tag marks the isolator's own groups, whose rules its IAM policy lets it rewrite; a customer's group
 * must never become one.
 */
export const IngressRecordTag = {
  revokedBy: 'ir-record:ingress-revoked-by',
  rulesPrefix: 'ir-record:revoked-ingress-',
} as const;

/** What `contain.security-group-ingress` replaces: every rule it revoked, exactly as it was. */
export const SecurityGroupIngressPreState = z.object({
  groupId: z.string().min(1),
  ports: z.array(z.number().int().min(0).max(65535)),
  revoked: z.array(RecordedIngressRule),
});
/** @see SecurityGroupIngressPreState */
export type SecurityGroupIngressPreState = z.infer<typeof SecurityGroupIngressPreState>;

/** The revoked rules as recorded in the group's tags. */
export const RecordedRules = z.array(RecordedIngressRule);

/** The group's tags; a group that does not exist is a `ResourceNotFoundError` (not retried). */
export async function readGroupTags(ec2: EC2Client, groupId: string): Promise<Record<string, string>> {
  try {
    const output = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = output.SecurityGroups?.[0];
    if (group) return tagMap(group.Tags);
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound', 'InvalidGroupId.Malformed'))
      throw error;
  }
  throw new ResourceNotFoundError(`security group ${groupId} does not exist`, { groupId });
}

/** Every rule of the group (ingress and egress), following pagination. */
export async function readGroupRules(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let nextToken: string | undefined;
  do {
    const output = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    rules.push(...(output.SecurityGroupRules ?? []));
    nextToken = output.NextToken;
  } while (nextToken);
  return rules.filter((rule) => rule.GroupId === undefined || rule.GroupId === groupId);
}

/**
 * The `IpPermission` that authorises exactly one recorded rule again, with its description: what the
 * operator's command for a rollback carries (the isolator no longer authorises a customer's rules).
 */
export function permissionOf(rule: RecordedIngressRule): IpPermission {
  const description = rule.description ? { Description: rule.description } : {};
  return {
    IpProtocol: rule.ipProtocol,
    ...(rule.ipProtocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
    ...(rule.cidrIpv4 ? { IpRanges: [{ CidrIp: rule.cidrIpv4, ...description }] } : {}),
    ...(rule.cidrIpv6 ? { Ipv6Ranges: [{ CidrIpv6: rule.cidrIpv6, ...description }] } : {}),
  };
}

/** A rule in words, for `changes` and `wouldChange`. */
export function describeRule(rule: RecordedIngressRule): string {
  const ports =
    rule.ipProtocol === '-1' ? 'all traffic' : `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort}`;
  return `${ports} from ${rule.cidrIpv4 ?? rule.cidrIpv6} (${rule.securityGroupRuleId})`;
}
