import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The IAM path of the isolator's quarantine policies (services/isolator/src/actions/iam/
 * quarantine-policy.ts). The only managed policies it may create, attach, detach or delete.
 */
export const QUARANTINE_POLICY_PATH = '/ir-quarantine/';

/** Every quarantine policy in any account of the partition. */
export function quarantinePolicyArns(partition: string): string {
  return `arn:${partition}:iam::*:policy${QUARANTINE_POLICY_PATH}*`;
}

/**
 * What the isolator does to resources in an account (its own, or a member account through the
 * response role): every AWS call of services/isolator/src, no more. The one place this policy is
 * written: the isolator's task role and the member response role attach it, and docs/iam is generated
 * from it (`pnpm docs:iam`). Most resources are wildcards because they are whatever a finding names;
 * tag conditions and the guard denies bound them.
 */
export function isolatorStatements(partition: string): iam.PolicyStatement[] {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:*:*:${resource}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadForPreStateAndVerification',
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeNetworkAcls',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeAutoScalingGroups',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'iam:GetUser',
        'iam:ListAccessKeys',
        'iam:ListUserTags',
        'iam:GetLoginProfile',
        'iam:GetRole',
        // Whether a quarantine policy is attached (the look-up is filtered to /ir-quarantine/).
        'iam:ListAttachedUserPolicies',
        'iam:ListAttachedRolePolicies',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        'cloudtrail:DescribeTrails',
        // Needs no permission (AWS always allows it); listed because the S3 lockdown calls it.
        'sts:GetCallerIdentity',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'Ec2InstanceContainment',
      actions: [
        'ec2:ModifyInstanceAttribute',
        // contain.ec2-metadata / rollback.ec2-metadata (IMDS off, then the recorded options back).
        'ec2:ModifyInstanceMetadataOptions',
        'ec2:ModifyNetworkInterfaceAttribute',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      resources: [
        arn('ec2', 'instance/*'),
        arn('ec2', 'network-interface/*'),
        arn('ec2', 'security-group/*'),
        arn('ec2', 'volume/*'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'IsolationGroupsCreate',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arn('ec2', 'security-group/*'), arn('ec2', 'vpc/*')],
    }),
    new iam.PolicyStatement({
      sid: 'IsolationGroupsRulesOnlyOnOurGroups',
      actions: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
      ],
      resources: [arn('ec2', 'security-group/*')],
      conditions: { StringEquals: { 'aws:ResourceTag/ir:managed-by': 'ir-isolator' } },
    }),
    new iam.PolicyStatement({
      sid: 'AdminIngressRevokeOnAnyGroup',
      actions: ['ec2:RevokeSecurityGroupIngress'],
      resources: [arn('ec2', 'security-group/*')],
    }),
    new iam.PolicyStatement({
      sid: 'AdminIngressRestoreOnlyWhereWeRevoked',
      actions: ['ec2:AuthorizeSecurityGroupIngress'],
      resources: [arn('ec2', 'security-group/*')],
      conditions: { Null: { 'aws:ResourceTag/ir:ingress-revoked-by': 'false' } },
    }),
    new iam.PolicyStatement({
      sid: 'CloudTrailLoggingRemediation',
      actions: [
        'cloudtrail:GetTrailStatus',
        'cloudtrail:ListTags',
        'cloudtrail:AddTags',
        'cloudtrail:RemoveTags',
        'cloudtrail:StartLogging',
        'cloudtrail:StopLogging',
      ],
      resources: [arn('cloudtrail', 'trail/*')],
    }),
    new iam.PolicyStatement({
      sid: 'NetworkAclBlock',
      actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
      resources: [arn('ec2', 'network-acl/*')],
    }),
    new iam.PolicyStatement({
      sid: 'AutoScalingAndLoadBalancers',
      actions: [
        'autoscaling:DetachInstances',
        'autoscaling:AttachInstances',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:RegisterTargets',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'IamPrincipalContainment',
      actions: ['iam:UpdateAccessKey', 'iam:TagUser', 'iam:UntagUser', 'iam:DeleteLoginProfile'],
      resources: [`arn:${partition}:iam::*:user/*`],
    }),
    // TRAPS 20: no iam:Put*Policy (an inline policy of any content on any principal is admin). The
    // quarantine is a managed policy, created only under /ir-quarantine/ and attached only when it is
    // one of those.
    new iam.PolicyStatement({
      sid: 'QuarantinePoliciesOnlyUnderTheirPath',
      actions: [
        'iam:CreatePolicy',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListPolicyVersions',
        'iam:DeletePolicyVersion',
        'iam:DeletePolicy',
      ],
      resources: [quarantinePolicyArns(partition)],
    }),
    new iam.PolicyStatement({
      sid: 'AttachOnlyQuarantinePolicies',
      actions: [
        'iam:AttachUserPolicy',
        'iam:DetachUserPolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
      ],
      resources: [`arn:${partition}:iam::*:user/*`, `arn:${partition}:iam::*:role/*`],
      conditions: { ArnLike: { 'iam:PolicyARN': quarantinePolicyArns(partition) } },
    }),
    new iam.PolicyStatement({
      sid: 'S3Lockdown',
      actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock'],
      resources: [`arn:${partition}:s3:::*`],
    }),
    new iam.PolicyStatement({
      sid: 'NeverTouchServiceLinkedRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resources: [`arn:${partition}:iam::*:role/aws-service-role/*`],
    }),
  ];
}
