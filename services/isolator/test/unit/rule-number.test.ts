import { describe, expect, it } from 'vitest';
import { chooseRuleNumber } from '../../src/actions/network/block-ip.js';

describe('chooseRuleNumber', () => {
  const range = { min: 1, max: 3 };

  it('takes the lowest number free inbound and outbound, never an existing rule', () => {
    // Prepare
    const entries = [
      { RuleNumber: 1, Egress: false, RuleAction: 'allow' as const, Protocol: '-1', CidrBlock: '0.0.0.0/0' },
      { RuleNumber: 2, Egress: true, RuleAction: 'allow' as const, Protocol: '-1', CidrBlock: '0.0.0.0/0' },
    ];
    // Act / Assess
    expect(chooseRuleNumber(entries, '192.0.2.1/32', range)).toEqual({ ruleNumber: 3, existing: false });
  });

  it('reuses our own deny of the same CIDR (a repeat) and reports a full range', () => {
    // Prepare
    const ours = {
      RuleNumber: 2,
      Egress: false,
      RuleAction: 'deny' as const,
      Protocol: '-1',
      CidrBlock: '192.0.2.1/32',
    };
    const full = [1, 2, 3].map((n) => ({
      RuleNumber: n,
      Egress: false,
      RuleAction: 'allow' as const,
      Protocol: '-1',
      CidrBlock: '0.0.0.0/0',
    }));
    // Act / Assess
    expect(chooseRuleNumber([ours], '192.0.2.1/32', range)).toEqual({ ruleNumber: 2, existing: true });
    expect(chooseRuleNumber(full, '192.0.2.1/32', range)).toBeUndefined();
  });
});
