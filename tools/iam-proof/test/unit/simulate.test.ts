import { describe, expect, it } from 'vitest';
import type { TemplateRole } from '../../src/role-policies.js';
import { simulate } from '../../src/simulate.js';

const role: TemplateRole = {
  logicalId: 'ForensicsTaskRole',
  roleName: 'ir-forensics-task',
  arn: 'arn:aws:iam::111111111111:role/ir-forensics-task',
  policies: [
    {
      name: 'assume',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/ir-*' }],
      },
    },
  ],
  externalPolicyArns: [],
};
const assume = {
  action: 'sts:AssumeRole',
  resource: 'arn:aws:iam::222222222222:role/ir-forensics-response',
  resourceAccount: '222222222222',
};

describe('simulate', () => {
  it('names the missing resource policy when only the identity policy allows a call into another account', async () => {
    // Act
    const decision = await simulate(role, assume);
    // Assess
    expect(decision).toEqual({
      result: 'ImplicitlyDenied',
      decidedBy: ['no resource policy of the other account allows it (none known to the proof)'],
    });
  });

  it('allows the call into another account when the resource policy allows it too', async () => {
    // Prepare
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' },
      ],
    };
    // Act
    const decision = await simulate(role, assume, trust);
    // Assess
    expect(decision.result).toBe('Allowed');
  });
});
