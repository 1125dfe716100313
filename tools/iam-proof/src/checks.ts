import type { CallRecord } from './call-mapping.js';
import type { IamRequest } from './simulate.js';

/** One privilege-escalation path: a request that must be denied to every role. */
export interface Escalation {
  readonly name: string;
  readonly request: IamRequest;
}

/** The deployment values the escalation and clean-room checks name. */
export interface ProofAccounts {
  readonly home: string;
  readonly member: string;
  readonly region: string;
  readonly partition: string;
  /** The evidence bucket and key of the synthesised system stack. */
  readonly evidenceBucket: string;
  readonly evidenceKeyArn: string;
  /** The member response role's name. */
  readonly memberRoleName: string;
}

/**
 * The well-known IAM privilege-escalation methods, each as one request the responder's roles must
 * never be allowed. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
 * Mitigation" (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/), and
 * Bishop Fox's iam-vulnerable catalogue (https://github.com/BishopFox/iam-vulnerable); TRAPS.md
 * items 20 (Put*Policy, AWS-RunShellScript), 21 (guard tags written on existing resources) and 25
 * (evidence its writer can rewrite); issue 17 (controls a stolen isolator credential could weaken:
 * world ingress on any group, a stopped trail). `account` is where the role acts (its own account).
 */
export function escalationPaths(accounts: ProofAccounts, account: string): Escalation[] {
  const { partition, region } = accounts;
  const iam = `arn:${partition}:iam::${account}`;
  const ec2 = `arn:${partition}:ec2:${region}:${account}`;
  const bucket = `arn:${partition}:s3:::${accounts.evidenceBucket}`;
  const on = (
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
    owner = account,
  ) => ({
    action,
    resource,
    resourceAccount: owner,
    context,
  });
  const existingTag = (key: string, value: string) => ({
    [`aws:RequestTag/${key}`]: value,
    'aws:TagKeys': [key],
  });
  // Every tag the responder ever put on a customer's resource, present: no condition may trust one.
  const recordTags = (keys: readonly string[]) =>
    Object.fromEntries(keys.map((key) => [`aws:ResourceTag/${key}`, 'inc-1']));
  const trail = `arn:${partition}:cloudtrail:${region}:${account}:trail/org-trail`;
  return [
    { name: 'iam:PutRolePolicy on any role', request: on('iam:PutRolePolicy', `${iam}:role/victim-app`) },
    { name: 'iam:PutUserPolicy on any user', request: on('iam:PutUserPolicy', `${iam}:user/victim-user`) },
    {
      name: 'iam:AttachRolePolicy of AdministratorAccess',
      request: on('iam:AttachRolePolicy', `${iam}:role/victim-app`, {
        'iam:PolicyARN': `arn:${partition}:iam::aws:policy/AdministratorAccess`,
      }),
    },
    { name: 'iam:CreateAccessKey', request: on('iam:CreateAccessKey', `${iam}:user/victim-user`) },
    { name: 'iam:CreateLoginProfile', request: on('iam:CreateLoginProfile', `${iam}:user/victim-user`) },
    {
      name: 'iam:UpdateAssumeRolePolicy',
      request: on('iam:UpdateAssumeRolePolicy', `${iam}:role/victim-app`),
    },
    {
      name: 'iam:CreatePolicyVersion',
      request: on('iam:CreatePolicyVersion', `${iam}:policy/victim-policy`),
    },
    {
      name: 'iam:PassRole of an arbitrary role',
      request: on('iam:PassRole', `${iam}:role/admin`, { 'iam:PassedToService': 'ec2.amazonaws.com' }),
    },
    {
      name: 'ssm:SendCommand AWS-RunShellScript',
      // In the caller's account: see the SSM mapping in call-mapping.ts.
      request: on('ssm:SendCommand', `arn:${partition}:ssm:${region}:${account}:document/AWS-RunShellScript`),
    },
    {
      name: 'ec2:CreateTags ir:managed-by on an existing group',
      request: on(
        'ec2:CreateTags',
        `${ec2}:security-group/sg-0existing0000000`,
        existingTag('ir:managed-by', 'ir-isolator'),
      ),
    },
    {
      name: 'ec2:CreateTags ir:ingress-revoked-by on an existing group',
      request: on(
        'ec2:CreateTags',
        `${ec2}:security-group/sg-0existing0000000`,
        existingTag('ir:ingress-revoked-by', 'inc-forged'),
      ),
    },
    {
      name: 'ec2:CreateTags ir:purpose=clean-room on an existing instance',
      request: on(
        'ec2:CreateTags',
        `${ec2}:instance/i-0existing0000000`,
        existingTag('ir:purpose', 'clean-room'),
      ),
    },
    {
      name: 'ec2:CreateTags ir:purpose=clean-room on an existing volume',
      request: on(
        'ec2:CreateTags',
        `${ec2}:volume/vol-0existing000000`,
        existingTag('ir:purpose', 'clean-room'),
      ),
    },
    {
      name: 'ec2:CreateTags ir:purpose on an existing snapshot',
      request: on(
        'ec2:CreateTags',
        `arn:${partition}:ec2:${region}::snapshot/snap-0existing00000`,
        existingTag('ir:purpose', 'forensic evidence'),
      ),
    },
    {
      name: 'cloudtrail:AddTags ir:logging-started-by on a trail',
      request: on('cloudtrail:AddTags', trail, existingTag('ir:logging-started-by', 'inc-forged')),
    },
    {
      name: 'ec2:AuthorizeSecurityGroupIngress on a customer group',
      request: on('ec2:AuthorizeSecurityGroupIngress', `${ec2}:security-group/sg-0customer0000000`),
    },
    {
      name: 'ec2:AuthorizeSecurityGroupIngress on a customer group the responder contained',
      request: on(
        'ec2:AuthorizeSecurityGroupIngress',
        `${ec2}:security-group/sg-0contained000000`,
        recordTags(['ir:ingress-revoked-by', 'ir-record:ingress-revoked-by', 'ir-record:revoked-ingress-0']),
      ),
    },
    {
      name: 'cloudtrail:StopLogging on a trail',
      request: on('cloudtrail:StopLogging', trail),
    },
    {
      name: 'cloudtrail:StopLogging on a trail the responder started',
      request: on(
        'cloudtrail:StopLogging',
        trail,
        recordTags(['ir:logging-started-by', 'ir-record:logging-started-by']),
      ),
    },
    {
      name: 's3:PutBucketPolicy on the evidence bucket',
      request: on('s3:PutBucketPolicy', bucket, {}, accounts.home),
    },
    {
      name: 's3:DeleteObject of evidence',
      request: on('s3:DeleteObject', `${bucket}/incidents/inc-1/manifest.json`, {}, accounts.home),
    },
    {
      name: 's3:PutObjectRetention on evidence',
      request: on('s3:PutObjectRetention', `${bucket}/incidents/inc-1/manifest.json`, {}, accounts.home),
    },
    {
      name: 'kms:ScheduleKeyDeletion of the evidence key',
      request: on('kms:ScheduleKeyDeletion', accounts.evidenceKeyArn, {}, accounts.home),
    },
    {
      name: 'lambda:UpdateFunctionCode',
      request: on(
        'lambda:UpdateFunctionCode',
        `arn:${partition}:lambda:${region}:${account}:function:victim`,
      ),
    },
    {
      name: 'sts:AssumeRole of a role other than the member role',
      request: on(
        'sts:AssumeRole',
        `arn:${partition}:iam::${accounts.member}:role/OrganizationAccountAccessRole`,
        {},
        accounts.member,
      ),
    },
  ];
}

/** What the clean room launches from (the system stack's template values). */
export interface CleanRoomValues {
  readonly launchTemplateId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly imageId: string;
  readonly instanceProfileName: string;
}

/**
 * The clean room's launch and teardown calls as services/forensics/src/clean-room makes them
 * (analysis-instance.ts, volumes.ts, teardown.ts), as call records of the forensics task, with the
 * ids of what they create. DetachVolume is not called by the service today (the teardown terminates
 * the instance, which detaches); it is checked because an operator's retry may need it.
 */
export function cleanRoomCalls(accounts: ProofAccounts, values: CleanRoomValues): CallRecord[] {
  const tags = [
    { Key: 'ir:incident-id', Value: 'inc-1' },
    { Key: 'ir:step-id', Value: 'clean-room' },
    { Key: 'ir:purpose', Value: 'clean-room' },
    { Key: 'ir:source-instance', Value: 'i-0suspect00000000' },
    { Key: 'Name', Value: 'ir-clean-room-inc-1' },
  ];
  const call = (
    operation: string,
    input: Record<string, unknown>,
    output?: Record<string, unknown>,
  ): CallRecord => ({
    service: 'forensics',
    client: 'ec2',
    operation,
    account: accounts.home,
    region: accounts.region,
    principal: 'task',
    input,
    ...(output ? { output } : {}),
    outcome: 'success',
  });
  return [
    call(
      'RunInstances',
      {
        LaunchTemplate: { LaunchTemplateId: values.launchTemplateId },
        ImageId: values.imageId,
        NetworkInterfaces: [{ SubnetId: values.subnetId, Groups: [values.securityGroupId] }],
        IamInstanceProfile: { Name: values.instanceProfileName },
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      },
      { Instances: [{ InstanceId: 'i-0cleanroom000000' }] },
    ),
    call(
      'CreateVolume',
      {
        SnapshotId: 'snap-0evidence00000',
        TagSpecifications: [
          {
            ResourceType: 'volume',
            Tags: [...tags, { Key: 'ir:source-snapshot', Value: 'snap-0evidence00000' }],
          },
        ],
      },
      { VolumeId: 'vol-0cleanroom00000' },
    ),
    call('AttachVolume', {
      VolumeId: 'vol-0cleanroom00000',
      InstanceId: 'i-0cleanroom000000',
      Device: '/dev/sdf',
    }),
    call('DetachVolume', { VolumeId: 'vol-0cleanroom00000', InstanceId: 'i-0cleanroom000000' }),
    call('TerminateInstances', { InstanceIds: ['i-0cleanroom000000'] }),
    call('DeleteVolume', { VolumeId: 'vol-0cleanroom00000' }),
  ];
}
