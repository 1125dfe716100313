import type { PolicyJson } from './policy-json.js';

/**
 * What the isolator needs to contain and roll back in an account (its own, or a member account
 * through the response role): every action of services/isolator/src, no more. Resources are `*`
 * because the resources are whatever a finding names; the member role's explicit denies bound it.
 * Used only while docs/iam/isolator-policy.json does not exist.
 */
export const ISOLATOR_FALLBACK_POLICY: PolicyJson = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Ec2ReadForContainment',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:DescribeVolumes',
      ],
      Resource: '*',
    },
    {
      Sid: 'Ec2NetworkIsolation',
      Effect: 'Allow',
      Action: [
        'ec2:CreateSecurityGroup',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:ModifyNetworkInterfaceAttribute',
        'ec2:ModifyInstanceAttribute',
        'ec2:CreateNetworkAclEntry',
        'ec2:DeleteNetworkAclEntry',
        'ec2:CreateTags',
        'ec2:DeleteTags',
      ],
      Resource: '*',
    },
    {
      Sid: 'AutoScalingAndLoadBalancers',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DetachInstances',
        'autoscaling:AttachInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:RegisterTargets',
      ],
      Resource: '*',
    },
    {
      Sid: 'IamPrincipalContainment',
      Effect: 'Allow',
      Action: [
        'iam:GetUser',
        'iam:GetRole',
        'iam:GetUserPolicy',
        'iam:GetRolePolicy',
        'iam:PutUserPolicy',
        'iam:PutRolePolicy',
        'iam:DeleteUserPolicy',
        'iam:DeleteRolePolicy',
        'iam:ListAccessKeys',
        'iam:UpdateAccessKey',
        'iam:GetLoginProfile',
        'iam:DeleteLoginProfile',
        'iam:TagUser',
        'iam:UntagUser',
        'iam:ListUserTags',
      ],
      Resource: '*',
    },
    {
      Sid: 'CloudTrailLoggingRemediation',
      Effect: 'Allow',
      Action: [
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:ListTags',
        'cloudtrail:AddTags',
        'cloudtrail:RemoveTags',
        'cloudtrail:StartLogging',
        'cloudtrail:StopLogging',
      ],
      Resource: '*',
    },
    {
      Sid: 'S3BucketLockdown',
      Effect: 'Allow',
      Action: [
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketPublicAccessBlock',
      ],
      Resource: '*',
    },
  ],
};
