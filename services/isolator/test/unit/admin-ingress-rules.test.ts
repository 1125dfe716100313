import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  adminPortsOpenedBy,
  recordRule,
  ruleSignature,
  worldOpenAdminRules,
} from '../../src/aws/admin-ingress-rules.js';

const ADMIN = [22, 3389];

function rule(id: string, fields: Partial<SecurityGroupRule>): SecurityGroupRule {
  return { SecurityGroupRuleId: id, GroupId: 'sg-0abc', IsEgress: false, ...fields };
}

describe('worldOpenAdminRules', () => {
  it('selects exactly the ingress rules that open an admin port to 0.0.0.0/0 or ::/0', () => {
    // Prepare
    const rules = [
      rule('sgr-ssh4', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-ssh6', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv6: '::/0' }),
      rule('sgr-rdp-udp', { IpProtocol: 'udp', FromPort: 3389, ToPort: 3389, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-range', { IpProtocol: 'tcp', FromPort: 1, ToPort: 1024, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-all', { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-all-tcp', { IpProtocol: 'tcp', FromPort: -1, ToPort: -1, CidrIpv6: '::/0' }),
      rule('sgr-proto-6', { IpProtocol: '6', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' }),
      // Kept: narrower source, other port, ICMP, group reference, prefix list, egress.
      rule('sgr-office', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '198.51.100.0/24' }),
      rule('sgr-https', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-below', { IpProtocol: 'tcp', FromPort: 23, ToPort: 3388, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-icmp', { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }),
      rule('sgr-peer', {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        ReferencedGroupInfo: { GroupId: 'sg-0bastion' },
      }),
      rule('sgr-pl', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListId: 'pl-0abc' }),
      rule('sgr-egress', {
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: '0.0.0.0/0',
      }),
    ];

    // Act
    const selected = worldOpenAdminRules(rules, ADMIN).map((r) => r.SecurityGroupRuleId);

    // Assess
    expect(selected).toEqual([
      'sgr-ssh4',
      'sgr-ssh6',
      'sgr-rdp-udp',
      'sgr-range',
      'sgr-all',
      'sgr-all-tcp',
      'sgr-proto-6',
    ]);
  });

  it('uses the configured ports: a port outside the list is left open', () => {
    // Prepare
    const mysql = rule('sgr-mysql', {
      IpProtocol: 'tcp',
      FromPort: 3306,
      ToPort: 3306,
      CidrIpv4: '0.0.0.0/0',
    });

    // Act / Assess
    expect(worldOpenAdminRules([mysql], ADMIN)).toEqual([]);
    expect(worldOpenAdminRules([mysql], [...ADMIN, 3306])).toEqual([mysql]);
  });
});

describe('adminPortsOpenedBy', () => {
  it('names the admin ports inside a rule range, every one for protocol -1', () => {
    // Act / Assess
    expect(adminPortsOpenedBy(rule('a', { IpProtocol: 'tcp', FromPort: 20, ToPort: 3400 }), ADMIN)).toEqual(
      ADMIN,
    );
    expect(adminPortsOpenedBy(rule('b', { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389 }), ADMIN)).toEqual(
      [3389],
    );
    expect(adminPortsOpenedBy(rule('c', { IpProtocol: 'all' }), ADMIN)).toEqual(ADMIN);
    expect(adminPortsOpenedBy(rule('d', { IpProtocol: 'icmpv6', FromPort: -1, ToPort: -1 }), ADMIN)).toEqual(
      [],
    );
  });
});

describe('recordRule and ruleSignature', () => {
  it('records what re-authorising needs and matches a re-created rule with a new id', () => {
    // Prepare
    const original = rule('sgr-old', {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIpv6: '::/0',
      Description: 'ssh',
    });
    const recreated = { ...original, SecurityGroupRuleId: 'sgr-new' };
    const otherDescription = { ...recreated, Description: 'changed' };

    // Act
    const recorded = recordRule(original);

    // Assess
    expect(recorded).toEqual({
      securityGroupRuleId: 'sgr-old',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIpv6: '::/0',
      description: 'ssh',
    });
    expect(ruleSignature(recorded)).toBe(ruleSignature(recreated));
    expect(ruleSignature(recorded)).not.toBe(ruleSignature(otherDescription));
    expect(ruleSignature(recorded, false)).toBe(ruleSignature(otherDescription, false));
  });
});
