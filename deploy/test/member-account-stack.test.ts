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

describe('MemberAccountStack response role', () => {
  it('is trusted only by the isolator and forensics task roles, with the external id and ir- sessions', () => {
    // Prepare / Act: the stack is built once above.
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { Ref: 'RoleName' },
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
                'aws:PrincipalArn': [
                  {
                    'Fn::Sub': [
                      Match.stringLikeRegexp(':role/\\$\\{SystemPrefix\\}-isolator-task$'),
                      Match.anyValue(),
                    ],
                  },
                  {
                    'Fn::Sub': [
                      Match.stringLikeRegexp(':role/\\$\\{SystemPrefix\\}-forensics-task$'),
                      Match.anyValue(),
                    ],
                  },
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('takes every account-specific value as a parameter and needs no assets or bootstrap (StackSets)', () => {
    // Prepare / Act: built above.
    // Assess
    expect(Object.keys(template.toJSON().Parameters ?? {}).sort()).toEqual(
      ['EvidenceKeyId', 'ExternalId', 'RoleName', 'SecurityAccountId', 'SystemPrefix'].sort(),
    );
    template.hasParameter('ExternalId', { NoEcho: true, MinLength: 16 });
    expect(template.toJSON().Rules).toBeUndefined();
  });

  it('explicitly denies changes to its own role and the StackSet roles', () => {
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
    expect(resources).toContain('{"Ref":"RoleName"}');
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
    expect(text).not.toContain('${');
  });
});
