import { describe, expect, it } from 'vitest';
import { type Escalation, escalationPaths, type ProofAccounts } from '../../src/checks.js';
import type { TemplateRole } from '../../src/role-policies.js';
import { simulate } from '../../src/simulate.js';

const accounts: ProofAccounts = {
  home: '111111111111',
  member: '222222222222',
  region: 'us-east-1',
  partition: 'aws',
  evidenceBucket: 'ir-evidence',
  evidenceKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/evidence',
  memberRoleName: 'ir-isolator-response',
};

const paths = escalationPaths(accounts, accounts.member);
function path(name: string): Escalation {
  const found = paths.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no escalation path ${name}`);
  return found;
}

/** A member isolator role holding exactly these statements. */
const roleWith = (statements: unknown[]): TemplateRole => ({
  logicalId: 'IsolatorResponseRole',
  roleName: 'ir-isolator-response',
  arn: 'arn:aws:iam::222222222222:role/ir-isolator-response',
  policies: [{ name: 'act', document: { Version: '2012-10-17', Statement: statements } }],
  externalPolicyArns: [],
});

const groups = 'arn:aws:ec2:*:*:security-group/*';
const trails = 'arn:aws:cloudtrail:*:*:trail/*';
/** The two statements issue 17 found open: restore ingress where the tag is, stop trails we "started". */
const before = roleWith([
  {
    Effect: 'Allow',
    Action: 'ec2:AuthorizeSecurityGroupIngress',
    Resource: groups,
    Condition: { Null: { 'aws:ResourceTag/ir:ingress-revoked-by': 'false' } },
  },
  { Effect: 'Allow', Action: ['cloudtrail:StartLogging', 'cloudtrail:StopLogging'], Resource: trails },
  {
    Effect: 'Deny',
    Action: 'cloudtrail:StopLogging',
    Resource: '*',
    Condition: { Null: { 'aws:ResourceTag/ir:logging-started-by': 'true' } },
  },
]);
/** As the isolator holds them now: ingress only on its own groups, StopLogging denied outright. */
const after = roleWith([
  {
    Effect: 'Allow',
    Action: 'ec2:AuthorizeSecurityGroupIngress',
    Resource: groups,
    Condition: { StringEquals: { 'aws:ResourceTag/ir:managed-by': 'ir-isolator' } },
  },
  { Effect: 'Allow', Action: 'cloudtrail:StartLogging', Resource: trails },
  { Effect: 'Deny', Action: 'cloudtrail:StopLogging', Resource: '*' },
]);

const weakening = [
  'ec2:AuthorizeSecurityGroupIngress on a customer group the responder contained',
  'cloudtrail:StopLogging on a trail the responder started',
];

describe('escalationPaths (issue 17: controls a stolen isolator credential could weaken)', () => {
  it('keeps the forged guard tags on an existing group and trail, and adds ingress and StopLogging', () => {
    // Act
    const createTags = path('ec2:CreateTags ir:ingress-revoked-by on an existing group').request;
    const addTags = path('cloudtrail:AddTags ir:logging-started-by on a trail').request;
    // Assess
    expect(createTags).toMatchObject({
      action: 'ec2:CreateTags',
      resource: 'arn:aws:ec2:us-east-1:222222222222:security-group/sg-0existing0000000',
      context: { 'aws:TagKeys': ['ir:ingress-revoked-by'] },
    });
    expect(createTags.context).not.toHaveProperty('ec2:CreateAction');
    expect(addTags).toMatchObject({
      action: 'cloudtrail:AddTags',
      context: { 'aws:TagKeys': ['ir:logging-started-by'] },
    });
    expect(path('ec2:AuthorizeSecurityGroupIngress on a customer group').request).toMatchObject({
      action: 'ec2:AuthorizeSecurityGroupIngress',
      context: {},
    });
    expect(path(weakening[0] as string).request.context).toMatchObject({
      'aws:ResourceTag/ir:ingress-revoked-by': 'inc-1',
      'aws:ResourceTag/ir-record:ingress-revoked-by': 'inc-1',
    });
    expect(path('cloudtrail:StopLogging on a trail').request).toMatchObject({
      action: 'cloudtrail:StopLogging',
      resource: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/org-trail',
    });
    expect(path(weakening[1] as string).request.context).toMatchObject({
      'aws:ResourceTag/ir-record:logging-started-by': 'inc-1',
    });
  });

  it('finds both paths open on the statements issue 17 reported, and closed on the current ones', async () => {
    // Act
    const decide = (role: TemplateRole) =>
      Promise.all(weakening.map(async (name) => (await simulate(role, path(name).request)).result));
    const open = await decide(before);
    const closed = await decide(after);
    const plain = await Promise.all(
      ['ec2:AuthorizeSecurityGroupIngress on a customer group', 'cloudtrail:StopLogging on a trail'].map(
        async (name) => (await simulate(after, path(name).request)).result,
      ),
    );
    // Assess
    expect(open).toEqual(['Allowed', 'Allowed']);
    expect(closed).toEqual(['ImplicitlyDenied', 'ExplicitlyDenied']);
    expect(plain).toEqual(['ImplicitlyDenied', 'ExplicitlyDenied']);
  });
});
