import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { z } from 'zod';

/** The sources that mean "anyone on the internet". */
export const WORLD_CIDRS: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/**
 * One ingress rule as the isolator records it: exactly what `AuthorizeSecurityGroupIngress` needs to
 * put it back (protocol, ports, source, description), plus the rule id it had.
 */
export const RecordedIngressRule = z
  .object({
    securityGroupRuleId: z.string().min(1),
    ipProtocol: z.string().min(1),
    fromPort: z.number().int(),
    toPort: z.number().int(),
    cidrIpv4: z.string().min(1).optional(),
    cidrIpv6: z.string().min(1).optional(),
    description: z.string().optional(),
  })
  .refine((rule) => (rule.cidrIpv4 === undefined) !== (rule.cidrIpv6 === undefined), {
    message: 'needs exactly one of cidrIpv4 and cidrIpv6',
  });
/** @see RecordedIngressRule */
export type RecordedIngressRule = z.infer<typeof RecordedIngressRule>;

/** `-1` (or `all`) is every protocol and every port; the numbers 6 and 17 are TCP and UDP. */
function protocolOf(protocol: string | undefined): string {
  const lower = (protocol ?? '').toLowerCase();
  if (lower === 'all') return '-1';
  if (lower === '6') return 'tcp';
  if (lower === '17') return 'udp';
  return lower;
}

/**
 * The administrative ports among `ports` that a rule opens: every one for protocol `-1`, those in
 * its port range for TCP and UDP (RDP listens on both), none for ICMP or other protocols.
 */
export function adminPortsOpenedBy(rule: SecurityGroupRule, ports: readonly number[]): number[] {
  const protocol = protocolOf(rule.IpProtocol);
  if (protocol === '-1') return [...ports];
  if (protocol !== 'tcp' && protocol !== 'udp') return [];
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  // A TCP/UDP rule with -1 ports covers every port.
  if (from === -1 && to === -1) return [...ports];
  return ports.filter((port) => port >= from && port <= to);
}

/** True when the rule's source is the whole internet (not a narrower CIDR, group or prefix list). */
export function isWorldOpen(rule: SecurityGroupRule): boolean {
  const cidr = (rule.CidrIpv4 ?? rule.CidrIpv6)?.toLowerCase();
  return cidr !== undefined && WORLD_CIDRS.has(cidr);
}

/**
 * The ingress rules to revoke: those that open at least one administrative port to 0.0.0.0/0 or
 * ::/0. Everything else stays, including the same port from a narrower CIDR (a bastion's office
 * range), group references, prefix lists and every egress rule.
 */
export function worldOpenAdminRules(
  rules: readonly SecurityGroupRule[],
  ports: readonly number[],
): SecurityGroupRule[] {
  return rules.filter(
    (rule) => rule.IsEgress !== true && isWorldOpen(rule) && adminPortsOpenedBy(rule, ports).length > 0,
  );
}

/** A rule as the isolator records it (see {@link RecordedIngressRule}). */
export function recordRule(rule: SecurityGroupRule): RecordedIngressRule {
  return {
    securityGroupRuleId: rule.SecurityGroupRuleId ?? '',
    ipProtocol: protocolOf(rule.IpProtocol),
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
    ...(rule.CidrIpv4 ? { cidrIpv4: rule.CidrIpv4 } : {}),
    ...(rule.CidrIpv6 ? { cidrIpv6: rule.CidrIpv6 } : {}),
    ...(rule.Description ? { description: rule.Description } : {}),
  };
}

/**
 * What makes two ingress rules the same rule, whatever their ids: protocol, ports, source and (unless
 * `withDescription` is false: AWS refuses a second rule that differs only by it) description. Why
 * not the id: a re-authorised rule gets a new id, and rollback must recognise it.
 */
export function ruleSignature(rule: SecurityGroupRule | RecordedIngressRule, withDescription = true): string {
  const recorded = 'securityGroupRuleId' in rule ? rule : recordRule(rule);
  const ports = recorded.ipProtocol === '-1' ? '' : `${recorded.fromPort}-${recorded.toPort}`;
  const source = (recorded.cidrIpv4 ?? recorded.cidrIpv6 ?? '').toLowerCase();
  const description = withDescription ? `|${recorded.description ?? ''}` : '';
  return `${recorded.ipProtocol}|${ports}|${source}${description}`;
}

/**
 * Every ingress rule of a group in a comparable form, sorted: what "the rule set" means in
 * verification and tests. Rules referencing groups or prefix lists keep their reference.
 */
export function normalisedIngress(rules: readonly SecurityGroupRule[]): string[] {
  return rules
    .filter((rule) => rule.IsEgress !== true)
    .map((rule) =>
      rule.CidrIpv4 || rule.CidrIpv6
        ? ruleSignature(rule)
        : `${protocolOf(rule.IpProtocol)}|${rule.FromPort ?? -1}-${rule.ToPort ?? -1}|${
            rule.ReferencedGroupInfo?.GroupId ?? rule.PrefixListId ?? ''
          }|${rule.Description ?? ''}`,
    )
    .sort();
}
