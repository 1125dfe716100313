import type { Finding } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/suppression/matchers.js';
import type { SuppressionRule } from '../../src/suppression/rules-file.js';
import { createSuppressor } from '../../src/suppression/suppressor.js';

const NOW = new Date('2025-01-01T00:00:00.000Z');

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    source: 'guardduty',
    id: 'f-1',
    type: 'Recon:EC2/PortProbeUnprotectedPort',
    title: 'probe',
    severity: { score: 5, band: 'MEDIUM' },
    accountId: '123456789012',
    region: 'eu-west-1',
    createdAt: '2024-12-31T00:00:00.000Z',
    updatedAt: '2024-12-31T00:00:00.000Z',
    count: 1,
    sample: false,
    resources: [{ kind: 'ec2-instance', instanceId: 'i-1', tags: { Env: 'sandbox' }, networkInterfaces: [] }],
    network: { remoteIps: [{ ip: '10.1.2.3' }] },
    raw: {},
    ...overrides,
  };
}

const role = (roleName: string): Finding['resources'] => [
  { kind: 'iam-access-key', userType: 'AssumedRole', roleName },
];

function verdict(match: SuppressionRule['match'], subject: Finding, expiresAt?: string) {
  const rule = compileRule({ name: 'r', reason: 'why', match, ...(expiresAt ? { expiresAt } : {}) });
  return createSuppressor([rule]).evaluate(subject, NOW).kind;
}

describe('createSuppressor', () => {
  it.each([
    ['finding-type glob crossing "/"', { findingTypes: ['Recon:*'] }, finding(), 'suppressed'],
    [
      'finding-type glob with "!" in the type',
      { findingTypes: ['*!DNS'] },
      finding({ type: 'Backdoor:EC2/C&CActivity.B!DNS' }),
      'suppressed',
    ],
    [
      'finding-type glob, other type',
      { findingTypes: ['Recon:*'] },
      finding({ type: 'Backdoor:EC2/X' }),
      'kept',
    ],
    ['severity below the band', { severityBelow: 'HIGH' }, finding(), 'suppressed'],
    ['severity equal to the band', { severityBelow: 'MEDIUM' }, finding(), 'kept'],
    ['account', { accounts: ['123456789012'] }, finding(), 'suppressed'],
    ['other account', { accounts: ['111122223333'] }, finding(), 'kept'],
    ['region', { regions: ['eu-west-1'] }, finding(), 'suppressed'],
    ['resource tag', { resourceTags: { Env: 'sandbox' } }, finding(), 'suppressed'],
    ['resource tag with any value', { resourceTags: { Env: '*' } }, finding(), 'suppressed'],
    ['resource tag, other value', { resourceTags: { Env: 'prod' } }, finding(), 'kept'],
    ['resource without tags', { resourceTags: { Env: '*' } }, finding({ resources: role('x') }), 'kept'],
    ['remote IP in CIDR', { remoteIpCidrs: ['10.0.0.0/8'] }, finding(), 'suppressed'],
    [
      'IPv6 remote IP in CIDR',
      { remoteIpCidrs: ['2001:db8::/32'] },
      finding({ network: { remoteIps: [{ ip: '2001:db8::7' }] } }),
      'suppressed',
    ],
    [
      'one remote IP outside',
      { remoteIpCidrs: ['10.0.0.0/8'] },
      finding({ network: { remoteIps: [{ ip: '10.0.0.1' }, { ip: '198.51.100.1' }] } }),
      'kept',
    ],
    ['no remote IP at all', { remoteIpCidrs: ['10.0.0.0/8'] }, finding({ network: undefined }), 'kept'],
    [
      'principal ARN glob',
      { principalArns: ['arn:aws:iam::*:role/deploy-*'] },
      finding({ resources: role('deploy-pipeline') }),
      'suppressed',
    ],
    [
      'principal ARN glob, other role',
      { principalArns: ['arn:aws:iam::*:role/deploy-*'] },
      finding({ resources: role('admin') }),
      'kept',
    ],
    ['principal ARN glob, no principal', { principalArns: ['arn:aws:iam::*:role/*'] }, finding(), 'kept'],
    ['every criterion must match', { regions: ['eu-west-1'], accounts: ['111122223333'] }, finding(), 'kept'],
  ] as const)('%s → %s', (_title, match, subject, expected) => {
    // Prepare: the rule and finding above
    // Act
    const kind = verdict(match as SuppressionRule['match'], subject);
    // Assess
    expect(kind).toBe(expected);
  });

  it('skips a rule once it has expired', () => {
    // Prepare
    const match = { regions: ['eu-west-1'] };
    // Act
    const expired = verdict(match, finding(), '2024-12-31T23:59:59.000Z');
    const current = verdict(match, finding(), '2025-01-01T00:00:01.000Z');
    // Assess
    expect(expired).toBe('kept');
    expect(current).toBe('suppressed');
  });

  it('reports a throwing rule as unevaluated even when a later rule would suppress', () => {
    // Prepare
    const failure = new Error('boom');
    const broken = {
      name: 'broken',
      reason: 'r',
      matches: () => {
        throw failure;
      },
    };
    const later = compileRule({ name: 'later', reason: 'r', match: { regions: ['eu-west-1'] } });
    // Act
    const result = createSuppressor([broken, later]).evaluate(finding(), NOW);
    // Assess
    expect(result).toEqual({ kind: 'unevaluated', rule: 'broken', error: failure });
  });
});
