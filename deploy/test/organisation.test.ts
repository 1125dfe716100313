import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './build.js';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, unknown>;
};
const statementsOf = (
  template: ReturnType<typeof buildTestApp>['memberTemplate'],
  type: string,
): Statement[] =>
  Object.values(template.findResources(type)).flatMap(
    (resource) =>
      (resource as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );

/** The environment variables of one service's container, by name. */
function environmentOf(template: ReturnType<typeof buildTestApp>['systemTemplate'], service: string) {
  const definitions = template.findResources('AWS::ECS::TaskDefinition');
  for (const definition of Object.values(definitions)) {
    const containers = (
      definition as {
        Properties: {
          ContainerDefinitions: { Name: string; Environment?: { Name: string; Value: unknown }[] }[];
        };
      }
    ).Properties.ContainerDefinitions;
    const container = containers.find((c) => c.Name === service);
    if (container) return Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, e.Value]));
  }
  throw new Error(`no container named ${service}`);
}

// Synthesis takes seconds on a busy machine: each app is built once, in a hook with room for it.
const SYNTH_TIMEOUT_MS = 180_000;

describe('MemberAccountStack snapshot sharing', () => {
  let memberTemplate: ReturnType<typeof buildTestApp>['memberTemplate'];
  beforeAll(() => {
    memberTemplate = buildTestApp().memberTemplate;
  }, SYNTH_TIMEOUT_MS);

  it('lets the response role share evidence snapshots with the security account only', () => {
    // Prepare / Act: built above.
    const share = statementsOf(memberTemplate, 'AWS::IAM::Policy').find(
      (statement) => statement.Sid === 'ShareEvidenceSnapshotsWithForensicsAccount',
    );
    // Assess
    expect(share?.Effect).toBe('Allow');
    expect(share?.Action).toBe('ec2:ModifySnapshotAttribute');
    expect(share?.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/ir:purpose': 'forensic evidence',
        'aws:ResourceTag/ir:kind': 'kms-copy',
        'ec2:Add/userId': { Ref: 'SecurityAccountId' },
      },
      Null: { 'ec2:Add/group': 'true' },
    });
  });
});

describe('IncidentResponseStack allowed accounts', () => {
  let listed: ReturnType<typeof buildTestApp>['systemTemplate'];
  let organization: ReturnType<typeof buildTestApp>['systemTemplate'];
  beforeAll(() => {
    listed = buildTestApp({ memberAccountIds: '111122223333,444455556666' }).systemTemplate;
    organization = buildTestApp({ organizationId: 'o-abc123defg' }).systemTemplate;
  }, SYNTH_TIMEOUT_MS);

  it('passes the member account list to every service and refuses others by default', () => {
    // Prepare / Act: built above.
    const systemTemplate = listed;
    // Assess
    for (const service of ['detection', 'response-coordinator', 'isolator', 'forensics', 'notifier']) {
      const environment = environmentOf(systemTemplate, service);
      expect(environment.IR_ALLOWED_ACCOUNTS).toBe('111122223333,444455556666');
      expect(environment.IR_ALLOWED_ACCOUNTS_SOURCE).toBe('list');
    }
    expect(environmentOf(systemTemplate, 'forensics').IR_FORENSICS_ACCOUNT_ID).toEqual({
      Ref: 'AWS::AccountId',
    });
  });

  it('lets member forensics roles use the evidence key only through EC2 in its region, grants only for EBS', () => {
    // Prepare
    const keyStatements = (template: typeof listed) =>
      Object.values(template.findResources('AWS::KMS::Key')).flatMap(
        (key) =>
          (key as { Properties: { KeyPolicy: { Statement: { Sid?: string; Condition?: unknown }[] } } })
            .Properties.KeyPolicy.Statement,
      );
    const viaEbs = {
      'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
    };
    // Act
    const members = [...keyStatements(listed), ...keyStatements(organization)].filter((s) =>
      s.Sid?.startsWith('MemberResponseRoles'),
    );
    // Assess
    expect(members.map((s) => s.Sid)).toEqual([
      'MemberResponseRolesInListedAccounts',
      'MemberResponseRolesInListedAccountsGrantsForEbs',
      'MemberResponseRolesInOrganization',
      'MemberResponseRolesInOrganizationGrantsForEbs',
    ]);
    for (const statement of members) {
      expect(statement.Condition, statement.Sid).toMatchObject({ StringEquals: viaEbs });
      if (statement.Sid?.endsWith('GrantsForEbs'))
        expect(statement.Condition).toMatchObject({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    }
  });

  it('looks the organization up when an organization id is given, and may list its accounts', () => {
    // Prepare / Act: built above.
    const systemTemplate = organization;
    // Assess
    expect(environmentOf(systemTemplate, 'isolator').IR_ALLOWED_ACCOUNTS_SOURCE).toBe('organizations');
    expect(environmentOf(systemTemplate, 'isolator').IR_ALLOWED_ACCOUNTS).toBeUndefined();
    systemTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ListOrganizationAccounts',
            Action: 'organizations:ListAccounts',
            Resource: '*',
          }),
        ]),
      },
    });
  });
});
