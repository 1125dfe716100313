import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call-mapping.js';
import { type ProofTemplates, prove } from '../../src/prove.js';
import type { CfnTemplate } from '../../src/template-resolver.js';

const HOME = '531299918637';
const MEMBER = '762340882527';

/** The system stack in small: the forensics task role, its task definition and, optionally, more. */
function systemTemplate(
  options: { externalIdSecret: boolean; extra?: CfnTemplate['Resources'] } = { externalIdSecret: true },
): CfnTemplate {
  return {
    Resources: {
      ForensicsTaskRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'ir-forensics-task',
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ecs-tasks.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
      ForensicsTaskRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'ForensicsTaskRole' }],
          PolicyDocument: {
            Statement: [
              {
                Sid: 'AssumeOwnMemberResponseRole',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/ir-forensics-response']],
                },
              },
            ],
          },
        },
      },
      ForensicsTask: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          TaskRoleArn: { 'Fn::GetAtt': ['ForensicsTaskRole', 'Arn'] },
          ContainerDefinitions: [
            {
              Name: 'forensics',
              Environment: [{ Name: 'IR_MEMBER_ROLE_NAME', Value: 'ir-forensics-response' }],
              Secrets: options.externalIdSecret
                ? [{ Name: 'IR_MEMBER_ROLE_EXTERNAL_ID', ValueFrom: 'arn:aws:secretsmanager:secret' }]
                : [],
            },
          ],
        },
      },
      ...options.extra,
    },
  };
}

/** The member stack in small: the forensics response role, trusted as member-account-stack.ts trusts it. */
const memberTemplate: CfnTemplate = {
  Parameters: { SecurityAccountId: {}, ExternalId: {}, EvidenceKeyId: {}, SystemPrefix: { Default: 'ir' } },
  Resources: {
    ForensicsResponseRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'ir-forensics-response',
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: {
                AWS: {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'SecurityAccountId' }, ':root'],
                  ],
                },
              },
              Action: 'sts:AssumeRole',
              Condition: {
                StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
                ArnEquals: {
                  'aws:PrincipalArn': {
                    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub variables, as synthesised
                    'Fn::Sub': ['arn:${AWS::Partition}:iam::${SecurityAccountId}:role/ir-forensics-task', {}],
                  },
                },
                StringLike: { 'sts:RoleSessionName': 'ir-*' },
              },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'read',
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }],
            },
          },
        ],
      },
    },
  },
};

const record = (
  service: string,
  client: string,
  operation: string,
  extra: Partial<CallRecord>,
): CallRecord => ({
  service,
  client,
  operation,
  account: HOME,
  region: 'us-east-1',
  principal: 'task',
  input: {},
  outcome: 'success',
  ...extra,
});

/** Forensics assuming its member role and acting with it; and the runtime's test-only echo worker. */
const records: CallRecord[] = [
  record('forensics', 'sts', 'AssumeRole', { input: { RoleArn: `arn:aws:iam::${MEMBER}:role/ir-response` } }),
  record('forensics', 'ec2', 'DescribeInstances', {
    account: MEMBER,
    principal: 'member',
    roleArn: `arn:aws:iam::${MEMBER}:role/ir-response`,
  }),
  record('echo', 'sqs', 'ReceiveMessage', { input: { QueueUrl: `http://localhost/${HOME}/ir-isolator` } }),
  record('echo', 'sqs', 'DeleteMessage', { input: { QueueUrl: `http://localhost/${HOME}/ir-isolator` } }),
];

const callFindings = (templates: ProofTemplates) =>
  prove(templates, records).then((result) => ({
    ...result,
    findings: result.findings.filter((finding) => finding.kind !== 'clean-room-denied'),
  }));

describe('prove', () => {
  it('allows the assumption of the member role by its identity policy and the role’s trust, with the external id', async () => {
    // Act
    const result = await callFindings({ system: systemTemplate(), member: memberTemplate });
    // Assess
    expect(result.findings).toEqual([]);
    expect(result.tallies.get('ir-forensics-task')).toMatchObject({ allowed: 1, denied: 0 });
    expect(result.tallies.get('ir-forensics-response')).toMatchObject({ allowed: 1, denied: 0 });
  });

  it('denies the assumption when the stack gives the service no external id, as the trust would', async () => {
    // Act
    const result = await callFindings({
      system: systemTemplate({ externalIdSecret: false }),
      member: memberTemplate,
    });
    // Assess
    expect(result.findings).toEqual([
      expect.objectContaining({
        role: 'ir-forensics-task',
        kind: 'call-denied',
        request: expect.objectContaining({
          action: 'sts:AssumeRole',
          resource: 'arn:aws:iam::222222222222:role/ir-forensics-response',
        }),
      }),
    ]);
  });

  it('counts the calls of a service the stack does not deploy as not proved, and judges none of them', async () => {
    // Act
    const result = await callFindings({ system: systemTemplate(), member: memberTemplate });
    // Assess
    expect(result.notProved).toEqual(new Map([['echo', 2]]));
    expect(result.recordCount).toBe(4);
    expect([...result.tallies.keys()].filter((role) => role.includes('echo'))).toEqual([]);
  });

  it('reports a task role of a service it does not list, whose calls would otherwise go unproved', async () => {
    // Prepare
    const system = systemTemplate({
      externalIdSecret: true,
      extra: { EchoTaskRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'ir-echo-task' } } },
    });
    // Act
    const result = await callFindings({ system, member: memberTemplate });
    // Assess
    expect(result.findings).toEqual([
      expect.objectContaining({ role: 'ir-echo-task', kind: 'service-unlisted' }),
    ]);
  });
});

describe('prove with queue policies', () => {
  const coordinatorArn = `arn:aws:sqs:us-east-1:111111111111:ir-coordinator`;
  /** The coordinator queue, whose policy admits `sender` only, and an isolator queue without a policy. */
  const withQueues = (sender: string) =>
    systemTemplate({
      externalIdSecret: true,
      extra: {
        CoordinatorQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ir-coordinator' } },
        CoordinatorQueuePolicy: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: {
            Queues: [{ Ref: 'CoordinatorQueue' }],
            PolicyDocument: {
              Statement: [
                {
                  Sid: 'SendOnlyFromListedSenders',
                  Effect: 'Deny',
                  Principal: { AWS: '*' },
                  Action: 'sqs:SendMessage',
                  Resource: { 'Fn::GetAtt': ['CoordinatorQueue', 'Arn'] },
                  Condition: {
                    ArnNotLike: {
                      'aws:PrincipalArn': {
                        'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${sender}`]],
                      },
                    },
                  },
                },
              ],
            },
          },
        },
        IsolatorQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ir-isolator' } },
        ForensicsSends: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'ForensicsTaskRole' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'sqs:SendMessage',
                  Resource: { 'Fn::GetAtt': ['CoordinatorQueue', 'Arn'] },
                },
              ],
            },
          },
        },
      },
    });
  const send = record('forensics', 'sqs', 'SendMessageBatch', {
    input: { QueueUrl: `http://localhost/${HOME}/ir-coordinator` },
  });

  it('reports a queue without a sender restriction as open to a role outside the system, and not the restricted one', async () => {
    // Act
    const result = await prove({ system: withQueues('ir-forensics-task'), member: memberTemplate }, [send]);
    // Assess
    const open = result.findings.filter((finding) => finding.kind === 'queue-open');
    expect(open).toEqual([
      expect.objectContaining({ role: 'ir-proof-unrelated', what: expect.stringContaining('ir-isolator') }),
    ]);
    expect(result.tallies.get('ir-proof-unrelated')).toMatchObject({
      escalationsChecked: 2,
      escalationsOpen: 1,
    });
  });

  it('proves a recorded send against the queue policy too: allowed for a listed sender, denied otherwise', async () => {
    // Act
    const listed = await prove({ system: withQueues('ir-forensics-task'), member: memberTemplate }, [send]);
    const unlisted = await prove({ system: withQueues('ir-isolator-task'), member: memberTemplate }, [send]);
    // Assess
    expect(listed.findings.filter((finding) => finding.kind === 'call-denied')).toEqual([]);
    expect(unlisted.findings.filter((finding) => finding.kind === 'call-denied')).toEqual([
      expect.objectContaining({
        role: 'ir-forensics-task',
        request: expect.objectContaining({ action: 'sqs:SendMessage', resource: coordinatorArn }),
        decision: expect.objectContaining({
          result: 'ExplicitlyDenied',
          decidedBy: [expect.stringContaining('SendOnlyFromListedSenders')],
        }),
      }),
    ]);
  });
});
