import { describe, expect, it } from 'vitest';
import {
  bindCleanRoom,
  bindToStack,
  type ServiceSettings,
  type StackBindings,
  serviceSettings,
} from '../../src/stack-bindings.js';
import { type CfnTemplate, createResolver } from '../../src/template-resolver.js';
import { callRecord } from '../support/call-record.js';

const record = callRecord;

const EVIDENCE_KEY = 'arn:aws:kms:us-east-1:111111111111:key/evidence';
const settings: Record<string, ServiceSettings> = {
  forensics: {
    environment: {
      IR_FORENSICS_KMS_KEY: EVIDENCE_KEY,
      IR_FORENSICS_ACCOUNT_ID: '111111111111',
      IR_EVIDENCE_LOCK_MODE: 'COMPLIANCE',
    },
    secrets: new Set(['IR_MEMBER_ROLE_EXTERNAL_ID']),
  },
  isolator: { environment: {}, secrets: new Set() },
  notifier: {
    environment: { IR_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:ir-notifications' },
    secrets: new Set(),
  },
};
const bindings: StackBindings = {
  memberRoleName: (service) => `ir-${service}-response`,
  settings: (service) => settings[service],
  memberExternalId: 'external-id-of-the-proof',
};

describe('bindToStack', () => {
  it('assumes the stack member role with the stack external id, and the runtime session name when none was logged', () => {
    // Prepare
    const assume = (service: string) =>
      record(service, 'sts', 'AssumeRole', { RoleArn: 'arn:aws:iam::222222222222:role/ir-response' });
    // Act
    const forensics = bindToStack(assume('forensics'), bindings);
    const isolator = bindToStack(assume('isolator'), bindings);
    const logged = bindToStack(
      record('forensics', 'sts', 'AssumeRole', {
        RoleArn: 'arn:aws:iam::222222222222:role/ir-response',
        RoleSessionName: 'ir-inc-1',
      }),
      bindings,
    );
    // Assess: the isolator's stack gives it no external id, so it presents none.
    expect(forensics.input).toEqual({
      RoleArn: 'arn:aws:iam::222222222222:role/ir-forensics-response',
      ExternalId: 'external-id-of-the-proof',
      RoleSessionName: 'ir-forensics',
    });
    expect(isolator.input).toEqual({
      RoleArn: 'arn:aws:iam::222222222222:role/ir-isolator-response',
      RoleSessionName: 'ir-isolator',
    });
    expect(logged.input.RoleSessionName).toBe('ir-inc-1');
  });

  it('copies snapshots with the stack forensics key, whatever key the test configured', () => {
    // Prepare
    const copy = record('forensics', 'ec2', 'CopySnapshot', {
      SourceSnapshotId: 'snap-1',
      KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
    });
    // Act
    const bound = bindToStack(copy, bindings);
    // Assess
    expect(bound.input).toEqual({ SourceSnapshotId: 'snap-1', KmsKeyId: EVIDENCE_KEY });
  });

  it('shares snapshots with the stack forensics account, whatever account the test configured', () => {
    // Prepare
    const share = (input: Record<string, unknown>) =>
      bindToStack(record('forensics', 'ec2', 'ModifySnapshotAttribute', input), bindings).input;
    // Act
    const byUserIds = share({ SnapshotId: 'snap-1', UserIds: ['222222222222'] });
    const byPermission = share({
      SnapshotId: 'snap-1',
      CreateVolumePermission: { Add: [{ UserId: '222222222222' }, { Group: 'all' }] },
    });
    // Assess: a group (public) share is left as it was, for the policy to refuse.
    expect(byUserIds).toEqual({ SnapshotId: 'snap-1', UserIds: ['111111111111'] });
    expect(byPermission).toEqual({
      SnapshotId: 'snap-1',
      CreateVolumePermission: { Add: [{ UserId: '111111111111' }, { Group: 'all' }] },
    });
  });

  it('publishes to the stack topic, and leaves a service the stack gives no topic as it was', () => {
    // Prepare
    const publish = (service: string) =>
      record(service, 'sns', 'Publish', { TopicArn: 'arn:aws:sns:us-east-1:111111111111:test-topic' });
    // Act
    const notifier = bindToStack(publish('notifier'), bindings);
    const other = bindToStack(publish('isolator'), bindings);
    // Assess
    expect(notifier.input.TopicArn).toBe('arn:aws:sns:us-east-1:111111111111:ir-notifications');
    expect(other.input.TopicArn).toBe('arn:aws:sns:us-east-1:111111111111:test-topic');
  });
});

describe('bindCleanRoom', () => {
  it('binds the dry run of the launch like the launch: template, profile, subnet and group', () => {
    // Prepare
    const values = {
      launchTemplateId: 'lt-stack',
      subnetId: 'subnet-stack',
      securityGroupId: 'sg-stack',
      imageId: 'ami-stack',
      instanceProfileName: 'profile-stack',
    };
    const input = {
      ImageId: 'ami-test',
      NetworkInterfaces: [{ SubnetId: 'subnet-test', Groups: ['sg-test'] }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'ir:purpose', Value: 'clean-room' }] }],
    };
    // Act
    const launch = bindCleanRoom(record('forensics', 'ec2', 'RunInstances', input), values);
    const dryRun = bindCleanRoom(
      record('forensics', 'ec2', 'RunInstances', { ...input, DryRun: true }),
      values,
    );
    // Assess
    expect(dryRun.input).toEqual({ ...launch.input, DryRun: true });
    expect(dryRun.input).toMatchObject({
      LaunchTemplate: { LaunchTemplateId: 'lt-stack' },
      IamInstanceProfile: { Name: 'profile-stack' },
      ImageId: 'ami-stack',
      NetworkInterfaces: [{ SubnetId: 'subnet-stack', Groups: ['sg-stack'] }],
    });
  });
});

describe('serviceSettings', () => {
  it('reads the variables (resolved) and secret names of the task definition running as the role', () => {
    // Prepare
    const template: CfnTemplate = {
      Resources: {
        ForensicsTaskRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'ir-forensics-task' } },
        ForensicsTask: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: {
            TaskRoleArn: { 'Fn::GetAtt': ['ForensicsTaskRole', 'Arn'] },
            ContainerDefinitions: [
              {
                Environment: [{ Name: 'IR_FORENSICS_ACCOUNT_ID', Value: { Ref: 'AWS::AccountId' } }],
                Secrets: [{ Name: 'IR_MEMBER_ROLE_EXTERNAL_ID', ValueFrom: 'arn:secret' }],
              },
            ],
          },
        },
      },
    };
    const resolver = createResolver(template, { accountId: '111111111111', region: 'us-east-1' });
    // Act
    const found = serviceSettings(template, resolver, 'arn:aws:iam::111111111111:role/ir-forensics-task');
    const none = serviceSettings(template, resolver, 'arn:aws:iam::111111111111:role/ir-notifier-task');
    // Assess
    expect(found?.environment).toEqual({ IR_FORENSICS_ACCOUNT_ID: '111111111111' });
    expect([...(found?.secrets ?? [])]).toEqual(['IR_MEMBER_ROLE_EXTERNAL_ID']);
    expect(none).toBeUndefined();
  });
});
