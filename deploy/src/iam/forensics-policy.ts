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
      // evidence.collect-lambda: configuration (GetFunction also presigns the code package's URL,
      // which needs no further permission), concurrency, tags and resource policy of the function.
      sid: 'MemberRoleReadLambdaFunctions',
      actions: ['lambda:GetFunction', 'lambda:GetFunctionConcurrency', 'lambda:GetPolicy', 'lambda:ListTags'],
      resources: [`arn:${partition}:lambda:*:*:function:*`],
    }),
    new iam.PolicyStatement({
      // evidence.collect-ecs-task: the task (with its tags and ENI attachment).
      sid: 'MemberRoleReadEcsTasks',
      actions: ['ecs:DescribeTasks'],
      resources: [`arn:${partition}:ecs:*:*:task/*`],
    }),
    new iam.PolicyStatement({
      // DescribeTaskDefinition has no resource-level permission.
      sid: 'MemberRoleReadEcsTaskDefinitions',
      actions: ['ecs:DescribeTaskDefinition'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // evidence.collect-eks-cluster: the cluster's configuration, its node-group and Fargate-profile
      // lists, and the pod-identity associations of the finding's service account (listed per cluster).
      sid: 'MemberRoleReadEksClusters',
      actions: [
        'eks:DescribeCluster',
        'eks:ListNodegroups',
        'eks:ListFargateProfiles',
        'eks:ListPodIdentityAssociations',
      ],
      resources: [`arn:${partition}:eks:*:*:cluster/*`],
    }),
    new iam.PolicyStatement({
      // The node groups and the associations themselves (each association's role).
      sid: 'MemberRoleReadEksNodegroupsAndPodIdentities',
      actions: ['eks:DescribeNodegroup', 'eks:DescribePodIdentityAssociation'],
      resources: [
        `arn:${partition}:eks:*:*:nodegroup/*/*/*`,
        `arn:${partition}:eks:*:*:podidentityassociation/*/*`,
      ],
    }),
    new iam.PolicyStatement({
      // The function's event-source mappings (no resource-level permission exists for the list).
      sid: 'MemberRoleListLambdaEventSourceMappings',
      actions: ['lambda:ListEventSourceMappings'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // evidence.s3-object: the bytes of the one object version a malware finding names (HeadObject
      // and GetObject of that version); copied into evidence and hashed there.
      sid: 'ReadMaliciousObjectVersion',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [`arn:${partition}:s3:::*/*`],
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
    // evidence.snapshot-rds: the database's configuration and a snapshot of it, named `ir-…`.
    new iam.PolicyStatement({
      sid: 'MemberRoleReadRdsDatabases',
      actions: [
        'rds:DescribeDBInstances',
        'rds:DescribeDBClusters',
        'rds:DescribeDBSnapshots',
        'rds:DescribeDBClusterSnapshots',
        'rds:ListTagsForResource',
      ],
      resources: [
        `arn:${partition}:rds:*:*:db:*`,
        `arn:${partition}:rds:*:*:cluster:*`,
        `arn:${partition}:rds:*:*:snapshot:*`,
        `arn:${partition}:rds:*:*:cluster-snapshot:*`,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'MemberRoleSnapshotRdsEvidence',
      actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot'],
      resources: [
        `arn:${partition}:rds:*:*:db:*`,
        `arn:${partition}:rds:*:*:cluster:*`,
        `arn:${partition}:rds:*:*:snapshot:ir-*`,
        `arn:${partition}:rds:*:*:cluster-snapshot:ir-*`,
      ],
    }),
    // The tags that come with the create call (RDS authorises them as AddTagsToResource): only the
    // evidence keys, never `ir:purpose` (a guard on EC2 snapshots), only on our own snapshots.
    new iam.PolicyStatement({
      sid: 'MemberRoleTagRdsEvidenceSnapshots',
      actions: ['rds:AddTagsToResource'],
      resources: [`arn:${partition}:rds:*:*:snapshot:ir-*`, `arn:${partition}:rds:*:*:cluster-snapshot:ir-*`],
      conditions: {
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['ir:incident-id', 'ir:step-id', 'ir:kind', 'ir:source-database'],
        },
        Null: { 'aws:TagKeys': 'false' },
      },
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
        // evidence.s3-object puts a legal hold on its copy and reads it back; the evidence guard
        // denies any hold request but ON (DenyEvidenceLegalHoldRelease), so no hold is ever lifted.
        's3:PutObjectLegalHold',
        's3:GetObjectLegalHold',
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
