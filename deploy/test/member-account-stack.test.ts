import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PRIVILEGE_CREATING_ACTIONS } from '../src/iam/guard-statements.js';
import { buildTestApp } from './build.js';

const { memberTemplate: template } = buildTestApp();

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
const statementsOf = (type: string): Statement[] =>
  Object.values(template.findResources(type)).flatMap(
    (resource) =>
      (resource as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
const allStatements = () => [...statementsOf('AWS::IAM::ManagedPolicy'), ...statementsOf('AWS::IAM::Policy')];
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('MemberAccountStack response roles', () => {
  it('creates one role per acting service, each trusted only by its own task role, with the external id', () => {
    // Prepare / Act: the stack is built once above.
    // Assess
    for (const service of ['isolator', 'forensics']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: { 'Fn::Sub': [`\${SystemPrefix}-${service}-response`, Match.anyValue()] },
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: Match.anyValue() },
              Condition: {
                StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
                StringLike: { 'sts:RoleSessionName': 'ir-*' },
                ArnEquals: {
                  'aws:PrincipalArn': {
                    'Fn::Sub': [
                      Match.stringLikeRegexp(`:role/\\$\\{SystemPrefix\\}-${service}-task$`),
                      Match.anyValue(),
                    ],
                  },
                },
              },
            },
          ],
        },
      });
    }
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  it('also requires the organization when an organization id is configured', () => {
    // Prepare
    const { memberTemplate: scoped } = buildTestApp({ organizationId: 'o-abcdefghij' });
    // Act
    const roles = Object.values(scoped.findResources('AWS::IAM::Role')) as {
      Properties: { AssumeRolePolicyDocument: { Statement: { Condition: Record<string, unknown> }[] } };
    }[];
    // Assess
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0]?.Condition.StringEquals).toEqual({
        'sts:ExternalId': { Ref: 'ExternalId' },
        'aws:PrincipalOrgID': 'o-abcdefghij',
      });
    }
  }, 120_000);

  it('gives each role only its own service’s actions', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as {
      Properties: {
        Description: string;
        Roles: { Ref: string }[];
        PolicyDocument: { Statement: Statement[] };
      };
    }[];
    const actionsOfRole = (logicalIdPrefix: string) =>
      policies
        .filter((policy) => policy.Properties.Roles.some((role) => role.Ref.startsWith(logicalIdPrefix)))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap(actionsOf);
    // Act
    const isolator = actionsOfRole('IsolatorResponseRole');
    const forensics = actionsOfRole('ForensicsResponseRole');
    // Assess
    expect(isolator).toContain('ec2:ModifyNetworkInterfaceAttribute');
    expect(isolator).not.toContain('ssm:SendCommand');
    expect(isolator).not.toContain('ec2:CreateSnapshot');
    expect(forensics).toContain('ec2:CreateSnapshot');
    expect(forensics).not.toContain('ec2:ModifyNetworkInterfaceAttribute');
    expect(forensics).not.toContain('iam:AttachRolePolicy');
  });

  it('lets the forensics role use the evidence key only through EC2, and create grants only for EBS', () => {
    // Prepare / Act
    const kms = allStatements().filter(
      (statement) => statement.Effect === 'Allow' && actionsOf(statement).some((a) => a.startsWith('kms:')),
    );
    // Assess
    const viaEbs = { StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' } };
    expect(kms.map((statement) => [statement.Sid, statement.Condition])).toEqual([
      ['MemberRoleKmsCopyOfSnapshots', viaEbs],
      ['MemberRoleKmsGrantsForEbs', { ...viaEbs, Bool: { 'kms:GrantIsForAWSResource': 'true' } }],
    ]);
    expect(actionsOf(kms[1] as Statement)).toEqual(['kms:CreateGrant']);
    expect(kms.flatMap(actionsOf).filter((action) => /\*|Encrypt$|GenerateDataKey$/.test(action))).toEqual(
      [],
    );
  });

  it('lets the forensics role share only its KMS evidence copies, and only with the security account', () => {
    // Prepare / Act
    const share = allStatements().find((s) => s.Sid === 'ShareEvidenceSnapshotsWithForensicsAccount');
    // Assess
    expect(share?.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/ir:purpose': 'forensic evidence',
        'aws:ResourceTag/ir:kind': 'kms-copy',
        'ec2:Add/userId': { Ref: 'SecurityAccountId' },
      },
      Null: { 'ec2:Add/group': 'true' },
    });
  });

  it('takes every account-specific value as a parameter and needs no assets or bootstrap (StackSets)', () => {
    // Prepare / Act: built above.
    // Assess
    expect(Object.keys(template.toJSON().Parameters ?? {}).sort()).toEqual(
      ['EvidenceBucketName', 'EvidenceKeyId', 'ExternalId', 'SecurityAccountId', 'SystemPrefix'].sort(),
    );
    template.hasParameter('ExternalId', { NoEcho: true, MinLength: 16 });
    expect(template.toJSON().Rules).toBeUndefined();
  });

  it('explicitly denies changes to both response roles and the StackSet roles', () => {
    // Prepare / Act: built above.
    // Assess
    const deny = allStatements().find((statement) => statement.Sid === 'DenyChangesToSystemRoles');
    expect(deny?.Effect).toBe('Deny');
    expect(actionsOf(deny as Statement)).toEqual(
      expect.arrayContaining([
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:UpdateAssumeRolePolicy',
        'iam:DeleteRole',
      ]),
    );
    const resources = JSON.stringify(deny?.Resource);
    expect(resources).toContain('-isolator-response');
    expect(resources).toContain('-forensics-response');
    expect(resources).toContain('AWSCloudFormationStackSetExecutionRole');
  });

  it('denies creating credentials, roles or policies, and chaining into other roles', () => {
    // Prepare / Act: built above.
    // Assess
    const denied = allStatements()
      .filter((statement) => statement.Effect === 'Deny' && statement.Resource === '*')
      .flatMap(actionsOf);
    expect(denied).toEqual(expect.arrayContaining([...PRIVILEGE_CREATING_ACTIONS, 'sts:AssumeRole']));
    const allowed = allStatements()
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap(actionsOf);
    expect(
      allowed.filter((action) => (PRIVILEGE_CREATING_ACTIONS as readonly string[]).includes(action)),
    ).toEqual([]);
    expect(allowed.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
  });

  it('keeps security-account resources (queues, evidence bucket) out of the member role', () => {
    // Prepare / Act: built above.
    // Assess
    const text = JSON.stringify(allStatements());
    expect(text).not.toMatch(/sqs:|arn:aws:s3:::\$\{EvidenceBucket\}|\$\{SecurityAccountId\}:ir-/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the one Fn::Sub variable the role names use
    expect(text.replaceAll('${SystemPrefix}', '')).not.toContain('${');
  });
});
