import * as iam from 'aws-cdk-lib/aws-iam';
import { QUARANTINE_POLICY_PATH } from './isolator-policy.js';

/**
 * IAM actions that create or widen access. Neither service ever calls them; an explicit deny keeps
 * a stolen or misused response credential from minting new credentials or roles.
 */
export const PRIVILEGE_CREATING_ACTIONS = [
  'iam:CreateUser',
  'iam:CreateRole',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachGroupPolicy',
  'iam:PutGroupPolicy',
  'iam:AddUserToGroup',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:CreateServiceLinkedRole',
  'iam:PassRole',
] as const;

/**
 * Managed-policy actions the isolator's quarantine uses (TRAPS 20), denied to every role for any
 * policy outside `/ir-quarantine/`: no other policy is ever created, attached or detached. A
 * quarantine policy's document cannot change after creation (`CreatePolicyVersion` and
 * `SetDefaultPolicyVersion` stay in {@link PRIVILEGE_CREATING_ACTIONS}).
 */
export const QUARANTINE_POLICY_ACTIONS = [
  'iam:CreatePolicy',
  'iam:AttachUserPolicy',
  'iam:AttachRolePolicy',
  'iam:DetachUserPolicy',
  'iam:DetachRolePolicy',
] as const;

/** Quarantine policies in any partition and account: a deny that names them needs no partition. */
const ANY_QUARANTINE_POLICY = `arn:*:iam::*:policy${QUARANTINE_POLICY_PATH}*`;

/** Changes to a role's own permissions, denied on the system's roles. */
export const ROLE_SELF_CHANGE_ACTIONS = [
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:DeleteRole',
  'iam:TagRole',
  'iam:UntagRole',
] as const;

/**
 * Actions that destroy evidence or blind detection; containment never needs them. `StopLogging`
 * included: the rollback of `contain.cloudtrail-logging` only verifies that an operator stopped the
 * trail (services/isolator/README.md), so no role of the system ever stops one.
 */
export const EVIDENCE_DESTROYING_ACTIONS = [
  'ec2:TerminateInstances',
  'ec2:DeleteVolume',
  'ec2:DeleteSnapshot',
  'iam:DeleteUser',
  'iam:DeleteAccessKey',
  's3:DeleteBucket',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutBucketObjectLockConfiguration',
  's3:BypassGovernanceRetention',
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector',
  'guardduty:UpdateDetector',
  'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:DisassociateFromMasterAccount',
  'securityhub:DisableSecurityHub',
] as const;

/**
 * Tag keys that an allow or a deny trusts, so nobody may write them after creation: `ir:managed-by`
 * (the isolator's own groups, whose rules it may rewrite) and `ir:purpose` (`forensic evidence`
 * snapshots may be shared and made into volumes; `clean-room` instances and volumes may be
 * terminated and deleted). Both are written only in the call that creates the resource.
 */
export const GUARD_TAG_KEYS = ['ir:managed-by', 'ir:purpose'] as const;

/**
 * Actions that write or remove tags, as the response roles hold them. Each accepts `aws:TagKeys`;
 * only EC2 has a create-time variant (`ec2:CreateAction`, set when tags come with the create call).
 */
export const TAG_WRITE_ACTIONS = [
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'iam:TagUser',
  'iam:UntagUser',
  'iam:TagRole',
  'iam:UntagRole',
  'cloudtrail:AddTags',
  'cloudtrail:RemoveTags',
  'lambda:TagResource',
  'lambda:UntagResource',
  'ecs:TagResource',
  'ecs:UntagResource',
  'eks:TagResource',
  'eks:UntagResource',
] as const;

/**
 * `ir:*` keys each acting service writes on resources that already exist (read from the services'
 * code; patterns as `aws:TagKeys` compares them). None may be a {@link GUARD_TAG_KEYS} key, and no
 * statement may trust one of them: a guard that trusts a key its role writes on existing resources is
 * void (TRAPS 21). The isolator's records on a customer's security group or trail are not here: they
 * use `ir-record:*` keys (isolator-policy.ts, `RECORD_TAG_KEYS`), outside this namespace, which no
 * condition trusts.
 */
export const EXISTING_RESOURCE_TAG_KEYS = {
  isolator: [
    // Contained instances and IAM users: the write-ahead and status tags, and their rollback.
    'ir:incident-id',
    'ir:status',
    'ir:contained-at',
    'ir:pre-state-*',
    // rollback.ec2-instance: the group's desired capacity before it attached the instance again
    'ir:asg-desired-before-attach',
    'ir:key-status:*',
    // contain.ec2-metadata
    'ir:imds-cut-by',
    'ir:imds-pre-state-*',
    // contain.ecs-task: each task ENI's groups before containment
    'ir:pre-groups',
    // contain.tag-incident (with ir:incident-id above): the incident's severity band
    'ir:severity',
    // contain.s3-object (an S3 object tag: S3 has no aws:TagKeys, so this is a record of what is written)
    'ir:quarantined-by',
  ],
  // The volume and device of each snapshot, known only once CreateSnapshots has returned.
  forensics: ['ir:volume-id', 'ir:device'],
} as const satisfies Record<string, readonly string[]>;

/** What a role's guard protects and which exceptions it grants. */
export interface GuardOptions {
  /** Roles no response role may change: the system's own. */
  readonly protectedRoleArns: readonly string[];
  /** `ir:*` tag keys (patterns) this role writes on existing resources; every other `ir:*` key only at creation. */
  readonly existingResourceTagKeys: readonly string[];
  /**
   * The clean room (forensics task role only): its instance role may be passed, to EC2 only, and
   * instances and volumes tagged `ir:purpose=clean-room` at creation may be terminated and deleted.
   */
  readonly cleanRoom?: CleanRoomExemption | undefined;
  /**
   * The isolator only: `contain.s3-object-delete` deletes one malicious object version, after a
   * person's approval and once its evidence copy is stored, so `s3:DeleteObjectVersion` is lifted
   * from the evidence-destruction deny. The evidence and log buckets stay protected by the evidence
   * guards, which deny `s3:DeleteObject*` there to every role.
   */
  readonly objectVersionDelete?: boolean | undefined;
}

/** What the clean room's exemptions from the guard name. */
export interface CleanRoomExemption {
  /** The analysis instances' role, the one role that may be passed (to EC2). */
  readonly instanceRoleArn: string;
  /** The tag every clean-room resource gets at creation (`ir:purpose=clean-room`). */
  readonly tag: { readonly key: string; readonly value: string };
}

/** The two evidence-destroying actions the clean room needs on its own resources. */
const CLEAN_ROOM_TEARDOWN_ACTIONS = ['ec2:TerminateInstances', 'ec2:DeleteVolume'] as const;

/**
 * Explicit denies attached to every role that acts on resources (the isolator's and forensics' task
 * roles and their member response roles). The isolator attaches quarantine policies to arbitrary
 * users and roles (deny-all and session revocation), so without these it could change the system's
 * own roles or attach a policy other than a quarantine one; explicit deny wins over any allow,
 * including a future, wider policy file.
 */
export function guardStatements(options: GuardOptions): iam.PolicyStatement[] {
  const { cleanRoom } = options;
  const teardown: readonly string[] = [
    ...(cleanRoom ? CLEAN_ROOM_TEARDOWN_ACTIONS : []),
    ...(options.objectVersionDelete ? ['s3:DeleteObjectVersion'] : []),
  ];
  return [
    new iam.PolicyStatement({
      sid: 'DenyChangesToSystemRoles',
      effect: iam.Effect.DENY,
      actions: [...ROLE_SELF_CHANGE_ACTIONS],
      resources: [...options.protectedRoleArns],
    }),
    new iam.PolicyStatement({
      sid: 'DenyPrivilegeCreation',
      effect: iam.Effect.DENY,
      actions: PRIVILEGE_CREATING_ACTIONS.filter((action) => !(cleanRoom && action === 'iam:PassRole')),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyPolicyCreationOutsideQuarantinePath',
      effect: iam.Effect.DENY,
      actions: ['iam:CreatePolicy'],
      notResources: [ANY_QUARANTINE_POLICY],
    }),
    new iam.PolicyStatement({
      sid: 'DenyAttachingAnythingButQuarantinePolicies',
      effect: iam.Effect.DENY,
      actions: QUARANTINE_POLICY_ACTIONS.filter((action) => action !== 'iam:CreatePolicy'),
      resources: ['*'],
      conditions: { ArnNotLike: { 'iam:PolicyARN': ANY_QUARANTINE_POLICY } },
    }),
    ...(cleanRoom
      ? [
          new iam.PolicyStatement({
            sid: 'DenyPassRoleButTheCleanRoomInstanceRole',
            effect: iam.Effect.DENY,
            actions: ['iam:PassRole'],
            notResources: [cleanRoom.instanceRoleArn],
          }),
          new iam.PolicyStatement({
            sid: 'DenyPassRoleToAnythingButEc2',
            effect: iam.Effect.DENY,
            actions: ['iam:PassRole'],
            resources: ['*'],
            conditions: { StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'DenyEvidenceDestruction',
      effect: iam.Effect.DENY,
      actions: EVIDENCE_DESTROYING_ACTIONS.filter((action) => !teardown.includes(action)),
      resources: ['*'],
    }),
    ...(cleanRoom
      ? [
          // StringNotEquals is true when the tag is absent: only resources tagged at creation are exempt.
          new iam.PolicyStatement({
            sid: 'DenyTeardownOutsideTheCleanRoom',
            effect: iam.Effect.DENY,
            actions: [...CLEAN_ROOM_TEARDOWN_ACTIONS],
            resources: ['*'],
            conditions: {
              StringNotEquals: { [`aws:ResourceTag/${cleanRoom.tag.key}`]: cleanRoom.tag.value },
            },
          }),
        ]
      : []),
    ...tagGuardStatements(options.existingResourceTagKeys),
  ];
}

/**
 * Guard tags cannot be forged (TRAPS 21): no `ir:*` key may be written or removed on an existing
 * resource except the role's own record keys, and a guard key never (both only in the create call
 * that tags, where EC2 sets `ec2:CreateAction`; IAM and CloudTrail have no such key, so there the deny
 * always applies). A request that mixes an allowed `ir:*` key with any other key on an existing
 * resource is refused too: no service sends one.
 */
export function tagGuardStatements(existingResourceTagKeys: readonly string[]): iam.PolicyStatement[] {
  const afterCreation = { Null: { 'ec2:CreateAction': 'true' } };
  return [
    new iam.PolicyStatement({
      sid: 'DenyGuardTagsAfterCreation',
      effect: iam.Effect.DENY,
      actions: [...TAG_WRITE_ACTIONS],
      resources: ['*'],
      conditions: { 'ForAnyValue:StringLike': { 'aws:TagKeys': [...GUARD_TAG_KEYS] }, ...afterCreation },
    }),
    new iam.PolicyStatement({
      sid: 'DenyIrTagsOnExistingResources',
      effect: iam.Effect.DENY,
      actions: [...TAG_WRITE_ACTIONS],
      resources: ['*'],
      conditions: {
        'ForAnyValue:StringLike': { 'aws:TagKeys': ['ir:*'] },
        ...(existingResourceTagKeys.length > 0
          ? { 'ForAnyValue:StringNotLike': { 'aws:TagKeys': [...existingResourceTagKeys] } }
          : {}),
        ...afterCreation,
      },
    }),
  ];
}
