import { SSM_DOCUMENT_KEYS, ssmDocumentName } from '@ir/ssm-documents';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { PolicyRefs } from './policy-refs.js';

/**
 * What the forensics service does to resources in an account (its own, or a member account through
 * the response role): snapshots and their copies under the evidence key, SSM host commands through
 * the system's own documents only, read-only metadata of instances, principals, volumes and buckets,
 * and CloudTrail look-ups. Written once here: the forensics task role and the member response role
 * attach it, and docs/iam is generated from it (`pnpm docs:iam`).
 */
export function forensicsActStatements(
  refs: Pick<PolicyRefs, 'partition' | 'evidenceKeyId' | 'prefix'>,
): iam.PolicyStatement[] {
  const { partition } = refs;
  const evidenceKeyInAnyRegion = `arn:${partition}:kms:*:*:key/${refs.evidenceKeyId}`;
  // EBS in whichever region the snapshot is copied in (the key's own region, for a single-region key).
  const viaEbs = 'ec2.*.amazonaws.com';
  return [
    new iam.PolicyStatement({
      sid: 'CallerIdentityForChainOfCustody',
      actions: ['sts:GetCallerIdentity'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleReadInstanceAndIdentity',
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSnapshots',
        // The clean room finds and waits for the volumes it creates from evidence snapshots.
        'ec2:DescribeVolumes',
        'ec2:GetConsoleOutput',
        'autoscaling:DescribeAutoScalingInstances',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'iam:GetInstanceProfile',
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:GetUser',
        'iam:GetUserPolicy',
        'iam:ListAttachedUserPolicies',
        'iam:ListUserPolicies',
        'iam:ListGroupsForUser',
        'iam:ListAccessKeys',
        'iam:GetAccessKeyLastUsed',
        'iam:ListMFADevices',
        'iam:GetLoginProfile',
        'cloudtrail:LookupEvents',
        's3:GetBucketPolicy',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketAcl',
        's3:GetBucketVersioning',
        's3:GetBucketLogging',
        's3:GetEncryptionConfiguration',
        'ssm:DescribeInstanceInformation',
        'ssm:GetCommandInvocation',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleSnapshotEvidence',
      actions: ['ec2:CreateSnapshots', 'ec2:CreateSnapshot', 'ec2:CopySnapshot'],
      resources: [
        `arn:${partition}:ec2:*:*:instance/*`,
        `arn:${partition}:ec2:*:*:volume/*`,
        `arn:${partition}:ec2:*::snapshot/*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleTagOnlyEvidenceSnapshots',
      actions: ['ec2:CreateTags'],
      resources: [`arn:${partition}:ec2:*::snapshot/*`],
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshots', 'CopySnapshot'] } },
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleTagSnapshotsAfterCreation',
      actions: ['ec2:CreateTags'],
      resources: [`arn:${partition}:ec2:*::snapshot/*`],
      conditions: { StringEquals: { 'aws:ResourceTag/ir:purpose': 'forensic evidence' } },
    }),
    // Copies under the evidence key: EBS uses the key on the caller's behalf (kms:ViaService), and
    // creates its grants itself (kms:GrantIsForAWSResource); the role never uses the key directly.
    new iam.PolicyStatement({
      sid: 'MemberRoleKmsCopyOfSnapshots',
      actions: [
        'kms:DescribeKey',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKeyWithoutPlaintext',
      ],
      resources: [evidenceKeyInAnyRegion],
      conditions: { StringLike: { 'kms:ViaService': viaEbs } },
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleKmsGrantsForEbs',
      actions: ['kms:CreateGrant'],
      resources: [evidenceKeyInAnyRegion],
      conditions: {
        StringLike: { 'kms:ViaService': viaEbs },
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    }),
    // Only the system's own documents (fixed scripts, @ir/ssm-documents), never AWS-RunShellScript:
    // a role that may run any script as root on every instance is admin everywhere (TRAPS 20).
    new iam.PolicyStatement({
      sid: 'MemberRoleRunOwnedSsmDocuments',
      actions: ['ssm:SendCommand', 'ssm:CancelCommand'],
      resources: [
        ...SSM_DOCUMENT_KEYS.map(
          (key) => `arn:${partition}:ssm:*:*:document/${ssmDocumentName(refs.prefix, key)}`,
        ),
        `arn:${partition}:ec2:*:*:instance/*`,
      ],
    }),
  ];
}

/**
 * The forensics service's access to the evidence store in the security account: write each object
 * once under `incidents/` with its retention, read it back to verify, never delete or lift retention.
 * Only on the task role: a member role never touches the evidence bucket.
 */
export function forensicsEvidenceStatements(
  refs: Pick<PolicyRefs, 'evidenceBucketArn' | 'evidenceKeyArn' | 'evidenceSigningKeyArn'>,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'WriteEvidenceOnceWithRetention',
      actions: [
        's3:PutObject',
        's3:PutObjectRetention',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectRetention',
        // Memory images arrive as multipart uploads through presigned part URLs.
        's3:AbortMultipartUpload',
      ],
      resources: [`${refs.evidenceBucketArn}/incidents/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ListEvidenceVersions',
      actions: ['s3:ListBucket', 's3:ListBucketVersions'],
      resources: [refs.evidenceBucketArn],
      conditions: { StringLike: { 's3:prefix': ['incidents/*'] } },
    }),
    new iam.PolicyStatement({
      sid: 'NeverLiftRetentionOrDeleteEvidence',
      effect: iam.Effect.DENY,
      actions: [
        's3:BypassGovernanceRetention',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutBucketObjectLockConfiguration',
      ],
      resources: [refs.evidenceBucketArn, `${refs.evidenceBucketArn}/*`],
    }),
    new iam.PolicyStatement({
      sid: 'EncryptEvidenceWithKms',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [refs.evidenceKeyArn],
    }),
    // Each manifest is signed when sealed and verified when the report is stored (TRAPS 25). The
    // signing key's policy denies kms:Sign to every other principal.
    new iam.PolicyStatement({
      sid: 'SignAndVerifyEvidenceManifests',
      actions: ['kms:Sign', 'kms:Verify'],
      resources: [refs.evidenceSigningKeyArn],
    }),
  ];
}

/** Everything the forensics task role is granted by this file: evidence store access, then actions. */
export function forensicsStatements(refs: PolicyRefs): iam.PolicyStatement[] {
  return [...forensicsEvidenceStatements(refs), ...forensicsActStatements(refs)];
}
