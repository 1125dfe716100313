import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVIDENCE_DESTROYING_ACTIONS,
  EXISTING_RESOURCE_TAG_KEYS,
  guardStatements,
} from '../src/iam/guard-statements.js';
import { isolatorStatements, RECORD_TAG_KEYS } from '../src/iam/isolator-policy.js';
import type { PolicyStatementJson } from '../src/iam/policy-json.js';
import { buildTestApp } from './build.js';

const isolator = isolatorStatements('aws').map((s) => s.toJSON() as PolicyStatementJson);
const listOf = (value: string | readonly string[] | undefined) =>
  value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
const allowsOf = (statements: readonly PolicyStatementJson[], action: string) =>
  statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      listOf(s.Action).some((pattern) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`).test(action)),
  );
const onGroups = (s: PolicyStatementJson) => listOf(s.Resource).some((r) => r.includes(':security-group/'));
const likePattern = (pattern: string) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`);

/** Every statement with a condition anywhere in a synthesised template (identity and resource policies). */
function conditionedStatements(template: unknown): { Effect: string; Condition: Record<string, unknown> }[] {
  const found: { Effect: string; Condition: Record<string, unknown> }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (typeof record.Effect === 'string' && typeof record.Condition === 'object' && record.Condition)
        found.push(record as { Effect: string; Condition: Record<string, unknown> });
      Object.values(record).forEach(walk);
    }
  };
  walk(template);
  return found;
}

describe('guardStatements (commodity remediation, issue 17)', () => {
  it('denies StopLogging on every trail, with no exemption for a tag', () => {
    // Act
    const denies = guardStatements({
      protectedRoleArns: ['arn:aws:iam::111122223333:role/ir-isolator-task'],
      existingResourceTagKeys: EXISTING_RESOURCE_TAG_KEYS.isolator,
    }).map((s) => s.toJSON() as PolicyStatementJson);

    // Assess
    expect(EVIDENCE_DESTROYING_ACTIONS).toContain('cloudtrail:StopLogging');
    const destruction = denies.find((s) => s.Sid === 'DenyEvidenceDestruction');
    expect(listOf(destruction?.Action)).toContain('cloudtrail:StopLogging');
    expect(destruction?.Resource).toBe('*');
    expect(destruction?.Condition).toBeUndefined();
    expect(denies.map((s) => s.Sid)).not.toContain('DenyStopLoggingOnTrailsWeDidNotStart');
  });

  it('lets no role write the remediation keys of the ir: namespace on an existing resource', () => {
    // Prepare
    const remediationKeys = ['ir:ingress-revoked-by', 'ir:revoked-ingress-0', 'ir:logging-started-by'];
    // Act
    const writable = Object.values(EXISTING_RESOURCE_TAG_KEYS).flat();
    // Assess
    for (const key of remediationKeys)
      expect(
        writable.filter((pattern) => likePattern(pattern).test(key)),
        key,
      ).toEqual([]);
  });
});

describe('isolatorStatements (commodity remediation, issue 17)', () => {
  it('authorises ingress only on its own isolation groups, never on a customer group', () => {
    // Act
    const authorise = allowsOf(isolator, 'ec2:AuthorizeSecurityGroupIngress');
    // Assess
    expect(authorise.map((s) => s.Sid)).toEqual(['IsolationGroupsRulesOnlyOnOurGroups']);
    expect(authorise[0]?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/ir:managed-by': 'ir-isolator' },
    });
    expect(allowsOf(isolator, 'ec2:RevokeSecurityGroupIngress').map((s) => s.Sid)).toContain(
      'AdminIngressRevokeOnAnyGroup',
    );
  });

  it('holds no StopLogging, and starts trails only', () => {
    // Act
    const stop = allowsOf(isolator, 'cloudtrail:StopLogging');
    const start = allowsOf(isolator, 'cloudtrail:StartLogging');
    // Assess
    expect(stop).toEqual([]);
    expect(start.map((s) => s.Resource)).toEqual(['arn:aws:cloudtrail:*:*:trail/*']);
  });

  it('tags a security group only at creation or with ir-record: keys, and a trail only with ir-record: keys', () => {
    // Prepare
    const recordKeysOnly = {
      'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
      Null: { 'aws:TagKeys': 'false' },
    };
    // Act
    const groupTags = [
      ...allowsOf(isolator, 'ec2:CreateTags'),
      ...allowsOf(isolator, 'ec2:DeleteTags'),
    ].filter(onGroups);
    const trailTags = [
      ...allowsOf(isolator, 'cloudtrail:AddTags'),
      ...allowsOf(isolator, 'cloudtrail:RemoveTags'),
    ];
    // Assess
    expect(RECORD_TAG_KEYS).toBe('ir-record:*');
    expect(groupTags.length).toBeGreaterThan(0);
    for (const statement of groupTags) {
      expect([
        recordKeysOnly,
        { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
      ]).toContainEqual(statement.Condition);
    }
    expect(groupTags.find((s) => s.Sid === 'IsolationGroupsTaggedAtCreation')?.Action).toBe('ec2:CreateTags');
    expect(trailTags.length).toBeGreaterThan(0);
    for (const statement of trailTags) expect(statement.Condition).toEqual(recordKeysOnly);
  });
});

describe('the synthesised stacks (commodity remediation, issue 17)', () => {
  let statements: { Effect: string; Condition: Record<string, unknown> }[];
  beforeAll(() => {
    const { systemTemplate, memberTemplate } = buildTestApp({
      forensicsAmiId: 'ami-0123456789abcdef0',
      memberAccountIds: '222222222222',
    });
    statements = [
      ...conditionedStatements(systemTemplate.toJSON()),
      ...conditionedStatements(memberTemplate.toJSON()),
    ];
  }, 180_000);

  it('trusts no record key in any condition: ir-record: appears only as the tag keys an allow may write', () => {
    // Prepare
    const recordKeys = [...Object.values(EXISTING_RESOURCE_TAG_KEYS).flat(), RECORD_TAG_KEYS];
    const conditionKeys = statements.flatMap((s) =>
      Object.values(s.Condition).flatMap((block) => Object.keys(block as Record<string, unknown>)),
    );
    // Act
    const trusted = conditionKeys
      .filter((key) => /^aws:(ResourceTag|RequestTag)\//.test(key))
      .map((key) => key.split('/').slice(1).join('/'))
      .filter((tag) => recordKeys.some((pattern) => likePattern(pattern).test(tag)));
    const mentions = statements.filter((s) => JSON.stringify(s.Condition).includes('ir-record:'));
    // Assess
    expect(statements.length).toBeGreaterThan(0);
    expect(conditionKeys.filter((key) => key.includes('ir-record:'))).toEqual([]);
    expect(trusted).toEqual([]);
    for (const statement of mentions) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition['ForAllValues:StringLike']).toEqual({ 'aws:TagKeys': [RECORD_TAG_KEYS] });
    }
    expect(mentions.length).toBeGreaterThan(0);
  });
});
