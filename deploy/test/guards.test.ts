import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '../src/config.js';
import { EVIDENCE_BUCKET_CONFIG_ACTIONS } from '../src/iam/evidence-guard.js';
import { EXISTING_RESOURCE_TAG_KEYS, GUARD_TAG_KEYS } from '../src/iam/guard-statements.js';
import type { IncidentResponseStack } from '../src/system-stack.js';
import { buildTestApp } from './build.js';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};
type PolicyResource = {
  Properties: { Roles?: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
};
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every statement of every policy (inline or managed) attached to the role with this logical id. */
function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ] as PolicyResource[];
  return policies
    .filter((policy) => (policy.Properties.Roles ?? []).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
const bySid = (statements: Statement[], sid: string) => statements.find((s) => s.Sid === sid);

const SYNTH_TIMEOUT_MS = 180_000;
const AMI = 'ami-0123456789abcdef0';

describe('guards of the task roles (security account, clean room configured)', () => {
  let system: IncidentResponseStack;
  let template: Template;
  let member: Template;
  const roleId = (service: ServiceName) =>
    Stack.of(system).getLogicalId(system.services[service].taskRole.node.defaultChild as never);
  beforeAll(() => {
    const built = buildTestApp({ forensicsAmiId: AMI, organizationId: 'o-abcdefghij' });
    system = built.system;
    template = built.systemTemplate;
    member = built.memberTemplate;
  }, SYNTH_TIMEOUT_MS);

  it('lets each acting task role assume only its own member role, inside the organization', () => {
    // Prepare / Act
    const assume = (service: ServiceName) =>
      statementsOfRole(template, roleId(service)).filter((s) => actionsOf(s).includes('sts:AssumeRole'));
    // Assess
    for (const service of ['isolator', 'forensics'] as const) {
      const statements = assume(service);
      expect(statements).toHaveLength(1);
      expect(JSON.stringify(statements[0]?.Resource)).toContain(`:role/ir-${service}-response`);
      expect(statements[0]?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' } });
    }
  });

  it('denies writing a guard tag, or any ir: tag but the role’s own record keys, after creation', () => {
    // Prepare / Act / Assess
    for (const service of ['isolator', 'forensics'] as const) {
      const statements = statementsOfRole(template, roleId(service));
      const guard = bySid(statements, 'DenyGuardTagsAfterCreation');
      expect(guard?.Effect).toBe('Deny');
      expect(actionsOf(guard as Statement)).toEqual(
        expect.arrayContaining(['ec2:CreateTags', 'ec2:DeleteTags', 'iam:TagUser', 'cloudtrail:AddTags']),
      );
      expect(guard?.Condition).toEqual({
        'ForAnyValue:StringLike': { 'aws:TagKeys': [...GUARD_TAG_KEYS] },
        Null: { 'ec2:CreateAction': 'true' },
      });
      const existing = bySid(statements, 'DenyIrTagsOnExistingResources');
      expect(existing?.Condition).toEqual({
        'ForAnyValue:StringLike': { 'aws:TagKeys': ['ir:*'] },
        'ForAnyValue:StringNotLike': { 'aws:TagKeys': [...EXISTING_RESOURCE_TAG_KEYS[service]] },
        Null: { 'ec2:CreateAction': 'true' },
      });
    }
  });

  it('never lets a role write a guard key on existing resources (the keys a guard trusts are creation-only)', () => {
    // Prepare / Act
    const writable = Object.values(EXISTING_RESOURCE_TAG_KEYS).flat();
    // Assess
    for (const key of GUARD_TAG_KEYS) {
      expect(writable.filter((pattern) => new RegExp(`^${pattern.replace('*', '.*')}$`).test(key))).toEqual(
        [],
      );
    }
  });

  it('denies every task role changes to the evidence and log buckets, and evidence deletion', () => {
    // Prepare
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      Stack.of(system).getLogicalId(construct.node.defaultChild as never);
    const bucket = logicalId(system.evidence.bucket);
    const logs = logicalId(system.evidence.accessLogs);
    // Act / Assess
    for (const service of SERVICE_NAMES) {
      const statements = statementsOfRole(template, roleId(service));
      const config = bySid(statements, 'DenyEvidenceBucketConfiguration');
      expect(config?.Effect, service).toBe('Deny');
      expect(config?.Action).toEqual([...EVIDENCE_BUCKET_CONFIG_ACTIONS]);
      expect(JSON.stringify(config?.Resource)).toContain(bucket);
      expect(JSON.stringify(config?.Resource)).toContain(logs);
      const objects = bySid(statements, 'DenyEvidenceObjectDestruction');
      expect(objects?.Action).toEqual(
        expect.arrayContaining(['s3:DeleteObject*', 's3:BypassGovernanceRetention']),
      );
      expect(bySid(statements, 'DenyKmsGrantsNotForAwsResources')?.Condition).toEqual({
        Bool: { 'kms:GrantIsForAWSResource': 'false' },
      });
      const retention = statements.filter(
        (s) => s.Effect === 'Deny' && actionsOf(s).includes('s3:PutObjectRetention'),
      );
      if (service === 'forensics') {
        // It writes evidence with retention: only in the configured mode and for at most the configured days.
        expect(retention.map((s) => s.Condition)).toEqual(
          expect.arrayContaining([
            { StringNotEquals: { 's3:object-lock-mode': 'COMPLIANCE' } },
            { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '91' } },
          ]),
        );
      } else {
        expect(retention.map((s) => s.Condition)).toContain(undefined);
      }
    }
  });

  it('denies both member roles the same, on every bucket of the security account', () => {
    // Prepare
    const roles = Object.keys(member.findResources('AWS::IAM::Role'));
    // Act / Assess
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      const statements = statementsOfRole(member, role);
      const config = bySid(statements, 'DenyEvidenceBucketConfiguration');
      expect(config?.Condition).toEqual({
        StringEquals: { 'aws:ResourceAccount': { Ref: 'SecurityAccountId' } },
      });
      expect(actionsOf(bySid(statements, 'DenyEvidenceObjectDestruction') as Statement)).toEqual(
        expect.arrayContaining(['s3:DeleteObject*', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']),
      );
      expect(bySid(statements, 'DenyKmsGrantsNotForAwsResources')?.Effect).toBe('Deny');
      expect(bySid(statements, 'DenyIrTagsOnExistingResources')?.Effect).toBe('Deny');
    }
  });

  it('exempts only the clean room from the forensics guard: its instance role to EC2, its tagged resources', () => {
    // Prepare
    const forensics = statementsOfRole(template, roleId('forensics'));
    const isolator = statementsOfRole(template, roleId('isolator'));
    const instanceRole = Stack.of(system).getLogicalId(
      system.cleanRoom?.instanceRole.node.defaultChild as never,
    );
    // Act / Assess
    expect(actionsOf(bySid(forensics, 'DenyPrivilegeCreation') as Statement)).not.toContain('iam:PassRole');
    expect(bySid(forensics, 'DenyPassRoleButTheCleanRoomInstanceRole')?.NotResource).toEqual({
      'Fn::GetAtt': [instanceRole, 'Arn'],
    });
    expect(bySid(forensics, 'DenyPassRoleToAnythingButEc2')?.Condition).toEqual({
      StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
    const teardown = bySid(forensics, 'DenyTeardownOutsideTheCleanRoom');
    expect(teardown?.Action).toEqual(['ec2:TerminateInstances', 'ec2:DeleteVolume']);
    expect(teardown?.Condition).toEqual({ StringNotEquals: { 'aws:ResourceTag/ir:purpose': 'clean-room' } });
    expect(actionsOf(bySid(forensics, 'DenyEvidenceDestruction') as Statement)).not.toContain(
      'ec2:TerminateInstances',
    );
    // The isolator gets no exemption.
    expect(actionsOf(bySid(isolator, 'DenyPrivilegeCreation') as Statement)).toContain('iam:PassRole');
    expect(actionsOf(bySid(isolator, 'DenyEvidenceDestruction') as Statement)).toEqual(
      expect.arrayContaining(['ec2:TerminateInstances', 'ec2:DeleteVolume']),
    );
    // The clean room's own key grants are for EBS only.
    expect(bySid(forensics, 'CleanRoomEvidenceKeyGrantsForEbs')?.Condition).toMatchObject({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
  });

  it('lets only the break-glass role disable or schedule deletion of the evidence key; nobody assumes it', () => {
    // Prepare
    const breakGlass = Stack.of(system).getLogicalId(
      system.evidence.breakGlassRole?.node.defaultChild as never,
    );
    // Act / Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyBreakGlassMayDestroyTheKey',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
            Resource: '*',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [breakGlass, 'Arn'] } } },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'ir-evidence-break-glass',
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
        ]),
      },
    });
  });

  it('alarms on any key destruction attempt and on evidence reads by anyone but forensics and the verifier', () => {
    // Prepare
    const topic = Stack.of(system).getLogicalId(
      system.node.findChild('AlarmTopic').node.defaultChild as never,
    );
    // Act / Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: ['ScheduleKeyDeletion', 'DisableKey'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        detail: Match.objectLike({
          eventName: ['GetObject', 'SelectObjectContent'],
          $or: [
            { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
            {
              userIdentity: {
                sessionContext: {
                  sessionIssuer: {
                    arn: [
                      {
                        'anything-but': [
                          { 'Fn::GetAtt': [roleId('forensics'), 'Arn'] },
                          { 'Fn::GetAtt': [roleId('response-coordinator'), 'Arn'] },
                        ],
                      },
                    ],
                  },
                },
              },
            },
          ],
        }),
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
    // GetObject is a data event: it reaches EventBridge only through a trail that records it.
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EventSelectors: [
        Match.objectLike({
          IncludeManagementEvents: false,
          DataResources: [Match.objectLike({ Type: 'AWS::S3::Object' })],
        }),
      ],
    });
  });
});

describe('the evidence key with a given break-glass role', () => {
  it(
    'names that role in the key policy and creates none',
    () => {
      // Prepare
      const arn = 'arn:aws:iam::123456789012:role/security/evidence-break-glass';
      // Act
      const { system, systemTemplate } = buildTestApp({ breakGlassRoleArn: arn });
      // Assess
      expect(system.evidence.breakGlassRole).toBeUndefined();
      systemTemplate.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyBreakGlassMayDestroyTheKey',
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': arn } },
            }),
          ]),
        },
      });
    },
    SYNTH_TIMEOUT_MS,
  );
});
