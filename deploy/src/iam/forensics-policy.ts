import type { PolicyJson } from './policy-json.js';

/**
 * What the forensics service needs to collect evidence in an account (its own, or a member account
 * through the response role): snapshots, SSM volatile collection with the one document it runs,
 * read-only metadata of instances, principals and buckets, and CloudTrail look-ups. Writing to the
 * evidence bucket and using the evidence key are granted separately (home account only). Used only
 * while docs/iam/forensics-policy.json does not exist.
 */
export const FORENSICS_FALLBACK_POLICY: PolicyJson = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Ec2EvidenceRead',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSnapshots',
        'ec2:DescribeVolumes',
        'ec2:GetConsoleOutput',
        'autoscaling:DescribeAutoScalingInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      Resource: '*',
    },
    {
      Sid: 'Ec2Snapshots',
      Effect: 'Allow',
      Action: ['ec2:CreateSnapshot', 'ec2:CreateSnapshots', 'ec2:CopySnapshot'],
      Resource: '*',
    },
    {
      Sid: 'TagOnlyNewSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: 'arn:*:ec2:*:*:snapshot/*',
    },
    {
      Sid: 'SsmVolatileCollection',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: ['arn:*:ssm:*::document/AWS-RunShellScript', 'arn:*:ec2:*:*:instance/*'],
    },
    {
      Sid: 'SsmCommandResults',
      Effect: 'Allow',
      Action: ['ssm:GetCommandInvocation', 'ssm:CancelCommand', 'ssm:DescribeInstanceInformation'],
      Resource: '*',
    },
    {
      Sid: 'PrincipalAndBucketMetadata',
      Effect: 'Allow',
      Action: [
        'iam:GetUser',
        'iam:GetRole',
        'iam:GetUserPolicy',
        'iam:GetRolePolicy',
        'iam:ListUserPolicies',
        'iam:ListRolePolicies',
        'iam:ListAttachedUserPolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListAccessKeys',
        'iam:GetAccessKeyLastUsed',
        'iam:GetLoginProfile',
        'iam:ListMFADevices',
        'iam:ListGroupsForUser',
        'iam:GetInstanceProfile',
        's3:GetBucketAcl',
        's3:GetBucketPolicy',
        's3:GetBucketVersioning',
        's3:GetBucketLogging',
        's3:GetEncryptionConfiguration',
        's3:GetBucketPublicAccessBlock',
        'cloudtrail:LookupEvents',
      ],
      Resource: '*',
    },
  ],
};
