import * as iam from 'aws-cdk-lib/aws-iam';

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
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachUserPolicy',
  'iam:AttachRolePolicy',
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

/** Actions that destroy evidence or blind detection; containment never needs them. */
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
 * The tag `contain.cloudtrail-logging` puts on a trail it starts. `cloudtrail:StopLogging` is denied
 * on every trail that does not carry it: the isolator may stop only what it started itself (the
 * operator-requested `rollback.cloudtrail-logging`). Fail-safe: where the tag condition key is not
 * available, the key is absent and the deny applies to every trail.
 */
export const TRAIL_STARTED_BY_TAG = 'ir:logging-started-by';

/**
 * Explicit denies attached to every role that can contain IAM principals (the isolator's task role
 * and the member response role). The isolator needs iam:PutRolePolicy on arbitrary roles (deny-all
 * and session revocation), so without these it could rewrite the system's own roles; explicit deny
 * wins over any allow, including a future, wider policy file.
 */
export function guardStatements(protectedRoleArns: readonly string[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DenyChangesToSystemRoles',
      effect: iam.Effect.DENY,
      actions: [...ROLE_SELF_CHANGE_ACTIONS],
      resources: [...protectedRoleArns],
    }),
    new iam.PolicyStatement({
      sid: 'DenyPrivilegeCreation',
      effect: iam.Effect.DENY,
      actions: [...PRIVILEGE_CREATING_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyEvidenceDestruction',
      effect: iam.Effect.DENY,
      actions: [...EVIDENCE_DESTROYING_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyStopLoggingOnTrailsWeDidNotStart',
      effect: iam.Effect.DENY,
      actions: ['cloudtrail:StopLogging'],
      resources: ['*'],
      conditions: { Null: { [`aws:ResourceTag/${TRAIL_STARTED_BY_TAG}`]: 'true' } },
    }),
  ];
}
