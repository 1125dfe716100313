import * as iam from 'aws-cdk-lib/aws-iam';
import type { PolicyRefs } from './policy-refs.js';

/**
 * The IAM path of the isolator's quarantine policies (services/isolator/src/actions/iam/
 * quarantine-policy.ts). The only managed policies it may create, attach, detach or delete.
 */
export const QUARANTINE_POLICY_PATH = '/ir-quarantine/';

/**
 * The tag keys the isolator may write and remove on a customer's security group or trail after
 * creation (`contain.security-group-ingress`, `contain.cloudtrail-logging` and their rollbacks): the
 * records a repeated command reads to report what the first run changed. They are records, not
 * guards: no statement anywhere has a condition on them (deploy's tests check it), so whoever can write
 * one gains nothing. The `ir:` namespace stays creation-only for every role (guard-statements.ts).
 */
export const RECORD_TAG_KEYS = 'ir-record:*';

/**
 * The two keys `contain.tag-incident` (the severity matrix's "tag" at LOW and MEDIUM) writes on a
 * finding's resource, and removes on rollback. Labels for people, not guards: no condition trusts
 * either (deploy's tests check it).
 */
export const INCIDENT_TAG_KEYS = ['ir:incident-id', 'ir:severity'] as const;

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
  // RDS ARNs separate the type and the name with `:` (`db:orders-1`, `cluster:orders`).
  const rdsArn = (resource: string) => `arn:${partition}:rds:*:*:${resource}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadForPreStateAndVerification',
      actions: [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeNetworkAcls',
        // contain.ecs-task / rollback.ecs-task: the task's ENIs (groups and record tags).
        'ec2:DescribeNetworkInterfaces',
        // The protected-tag gate (TRAPS 22): an instance's volumes, the subnets behind a NACL.
        'ec2:DescribeVolumes',
        'ec2:DescribeSubnets',
        // DescribeTaskDefinition has no resource-level permission (the task role's ARN).
        'ecs:DescribeTaskDefinition',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeAutoScalingGroups',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'iam:GetUser',
        'iam:ListAccessKeys',
        'iam:ListUserTags',
        'iam:GetLoginProfile',
        'iam:GetRole',
        // contain.tag-incident on a role: the read-back of its tags.
        'iam:ListRoleTags',
        // contain.tag-incident on a bucket: the whole set, merged before every write (see below).
        's3:GetBucketTagging',
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
      ],
      resources: [
        arn('ec2', 'instance/*'),
        arn('ec2', 'network-interface/*'),
        arn('ec2', 'security-group/*'),
        arn('ec2', 'volume/*'),
      ],
    }),
    // The write-ahead, status and pre-state tags of contained instances (ir:* keys the guard lists).
    new iam.PolicyStatement({
      sid: 'ContainedInstanceTags',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [arn('ec2', 'instance/*')],
    }),
    new iam.PolicyStatement({
      sid: 'IsolationGroupsCreate',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [arn('ec2', 'security-group/*'), arn('ec2', 'vpc/*')],
    }),
    // The isolation groups' tags (ir:managed-by, ir:group-role) come only with CreateSecurityGroup.
    new iam.PolicyStatement({
      sid: 'IsolationGroupsTaggedAtCreation',
      actions: ['ec2:CreateTags'],
      resources: [arn('ec2', 'security-group/*')],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
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
    // contain.security-group-ingress on a customer's group. No AuthorizeSecurityGroupIngress there:
    // re-opening world ingress (its rollback) is an operator's action, which the rollback verifies.
    new iam.PolicyStatement({
      sid: 'AdminIngressRevokeOnAnyGroup',
      actions: ['ec2:RevokeSecurityGroupIngress'],
      resources: [arn('ec2', 'security-group/*')],
    }),
    // Only record keys, and only named ones (no TagKeys: a DeleteTags without keys removes every tag).
    new iam.PolicyStatement({
      sid: 'RecordTagsOnSecurityGroups',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [arn('ec2', 'security-group/*')],
      conditions: {
        'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // contain.cloudtrail-logging. No StopLogging at all (the guard denies it too): stopping a trail,
    // its rollback, is an operator's action, which the rollback verifies.
    new iam.PolicyStatement({
      sid: 'CloudTrailLoggingRemediation',
      actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:ListTags', 'cloudtrail:StartLogging'],
      resources: [arn('cloudtrail', 'trail/*')],
    }),
    new iam.PolicyStatement({
      sid: 'RecordTagsOnTrails',
      actions: ['cloudtrail:AddTags', 'cloudtrail:RemoveTags'],
      resources: [arn('cloudtrail', 'trail/*')],
      conditions: {
        'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
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
        // rollback.ec2-instance: undoes the +1 that its AttachInstances added to desired capacity.
        'autoscaling:SetDesiredCapacity',
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
    // contain.tag-incident / rollback.tag-incident on roles, functions, databases and clusters: only
    // the two incident keys, and only named ones (no TagKeys: an untag without keys is refused). The
    // system's own roles stay out of reach through the guard's DenyChangesToSystemRoles. Instances,
    // users and ECS tasks are tagged through their existing statements (the guard limits the ir:
    // keys there).
    new iam.PolicyStatement({
      sid: 'IncidentTagsWhereTagKeysApply',
      actions: [
        'iam:TagRole',
        'iam:UntagRole',
        'lambda:TagResource',
        'lambda:UntagResource',
        'rds:AddTagsToResource',
        'rds:RemoveTagsFromResource',
        'eks:TagResource',
        'eks:UntagResource',
      ],
      resources: [
        `arn:${partition}:iam::*:role/*`,
        arn('lambda', 'function:*'),
        rdsArn('db:*'),
        rdsArn('cluster:*'),
        arn('eks', 'cluster/*'),
      ],
      conditions: {
        'ForAllValues:StringEquals': { 'aws:TagKeys': [...INCIDENT_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // contain.tag-incident on a bucket. S3's PutBucketTagging has no aws:TagKeys and replaces the
    // whole tag set, so no key condition is possible here: the isolator reads the set, changes only
    // the two incident keys and writes it all back (DeleteBucketTagging, authorised as this action,
    // when nothing is left). No statement anywhere trusts a bucket tag.
    new iam.PolicyStatement({
      sid: 'IncidentTagsOnBuckets',
      actions: ['s3:PutBucketTagging'],
      resources: [`arn:${partition}:s3:::*`],
    }),
    new iam.PolicyStatement({
      sid: 'S3Lockdown',
      actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock'],
      resources: [`arn:${partition}:s3:::*`],
    }),
    // contain.rds-database / contain.rds-public-access and their rollbacks: read the database, its
    // subnet group (for the VPC of the isolation group) and its tags, then change its security groups
    // or PubliclyAccessible. RDS has no condition key that limits ModifyDB* to those two attributes.
    new iam.PolicyStatement({
      sid: 'RdsReadForPreStateAndVerification',
      actions: [
        'rds:DescribeDBInstances',
        'rds:DescribeDBClusters',
        'rds:DescribeDBSubnetGroups',
        'rds:ListTagsForResource',
      ],
      resources: [rdsArn('db:*'), rdsArn('cluster:*'), rdsArn('subgrp:*')],
    }),
    new iam.PolicyStatement({
      sid: 'RdsDatabaseContainment',
      actions: ['rds:ModifyDBInstance', 'rds:ModifyDBCluster'],
      resources: [rdsArn('db:*'), rdsArn('cluster:*')],
    }),
    // The records of the previous groups and flags: only record keys, and only named ones.
    new iam.PolicyStatement({
      sid: 'RecordTagsOnRdsDatabases',
      actions: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
      resources: [rdsArn('db:*'), rdsArn('cluster:*')],
      conditions: {
        'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    new iam.PolicyStatement({
      // contain.s3-object / rollback.s3-object: the object's tags (the previous set is the pre-state).
      // The deny statement itself goes through S3Lockdown's bucket-policy calls.
      sid: 'S3ObjectQuarantineTags',
      actions: [
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        's3:DeleteObjectTagging',
        's3:DeleteObjectVersionTagging',
      ],
      resources: [`arn:${partition}:s3:::*/*`],
    }),
    new iam.PolicyStatement({
      // contain.s3-object-delete: finds the version by listing (no right to read objects), deletes it.
      sid: 'S3ObjectVersionLookup',
      actions: ['s3:ListBucketVersions'],
      resources: [`arn:${partition}:s3:::*`],
    }),
    new iam.PolicyStatement({
      // Approval-gated and refused without an evidence copy; the guard lifts only this action.
      sid: 'S3ObjectVersionDelete',
      actions: ['s3:DeleteObjectVersion'],
      resources: [`arn:${partition}:s3:::*/*`],
    }),
    // contain.lambda-function / rollback.lambda-function: reserved concurrency and event-source
    // mappings of the function a finding names, and the record of what they were (record keys only).
    new iam.PolicyStatement({
      sid: 'LambdaFunctionContainment',
      actions: [
        'lambda:GetFunctionConfiguration',
        'lambda:ListTags',
        'lambda:GetFunctionConcurrency',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
      ],
      resources: [arn('lambda', 'function:*')],
    }),
    new iam.PolicyStatement({
      sid: 'LambdaEventSourceMappings',
      actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      resources: [arn('lambda', 'event-source-mapping:*')],
    }),
    new iam.PolicyStatement({
      // ListEventSourceMappings has no resource-level permission.
      sid: 'LambdaListEventSourceMappings',
      actions: ['lambda:ListEventSourceMappings'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'RecordTagsOnLambdaFunctions',
      actions: ['lambda:TagResource', 'lambda:UntagResource'],
      resources: [arn('lambda', 'function:*')],
      conditions: {
        'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // contain.ecs-task / rollback.ecs-task / contain.ecs-task-stop: the task, its ENIs' record of
    // their groups (moved with Ec2InstanceContainment's ModifyNetworkInterfaceAttribute), its status
    // tags, and the approval-gated stop. The task role's revocation uses the quarantine statements.
    new iam.PolicyStatement({
      sid: 'EcsTaskEniRecordTags',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [arn('ec2', 'network-interface/*')],
    }),
    new iam.PolicyStatement({
      sid: 'EcsTaskReadAndStop',
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [arn('ecs', 'task/*')],
    }),
    // The protected-tag gate (TRAPS 22): a task of a protected cluster is protected.
    new iam.PolicyStatement({
      sid: 'EcsClusterTagsRead',
      actions: ['ecs:ListTagsForResource'],
      resources: [arn('ecs', 'cluster/*')],
    }),
    new iam.PolicyStatement({
      sid: 'EcsTaskStatusTags',
      actions: ['ecs:TagResource', 'ecs:UntagResource'],
      resources: [arn('ecs', 'task/*')],
      conditions: {
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['ir:incident-id', 'ir:status', 'ir:contained-at', 'ir:severity'],
        },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // contain.eks-endpoint-access / rollback.eks-endpoint-access: the cluster's endpoint access (the
    // update can change any cluster setting; EKS has no condition key narrowing it) and the record of
    // what it was (record keys only, and only named ones).
    new iam.PolicyStatement({
      sid: 'EksClusterEndpointAccess',
      actions: ['eks:DescribeCluster', 'eks:UpdateClusterConfig'],
      resources: [arn('eks', 'cluster/*')],
    }),
    new iam.PolicyStatement({
      sid: 'RecordTagsOnEksClusters',
      actions: ['eks:TagResource', 'eks:UntagResource'],
      resources: [arn('eks', 'cluster/*')],
      conditions: {
        'ForAllValues:StringLike': { 'aws:TagKeys': [RECORD_TAG_KEYS] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // contain.eks-workload-role: the role of a service account's EKS Pod Identity association (read
    // only; the revocation is contain.role-sessions' IAM calls). The Kubernetes side (pods, nodes,
    // service accounts, network policies) is granted by RBAC, deploy/kubernetes/isolator-rbac.yaml.
    new iam.PolicyStatement({
      sid: 'EksPodIdentityRead',
      actions: ['eks:ListPodIdentityAssociations', 'eks:DescribePodIdentityAssociation'],
      resources: [arn('eks', 'cluster/*'), arn('eks', 'podidentityassociation/*/*')],
    }),
    new iam.PolicyStatement({
      sid: 'NeverTouchServiceLinkedRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resources: [`arn:${partition}:iam::*:role/aws-service-role/*`],
    }),
  ];
}

/**
 * The isolator task role's read of the evidence store (never the member role's): before
 * `contain.s3-object-delete` deletes a version it reads the incident's `s3-object.json` record, heads
 * the copy and reads its legal hold. No write, no retention or hold change (the evidence guard denies
 * those anyway).
 */
export function isolatorEvidenceReadStatements(
  refs: Pick<PolicyRefs, 'evidenceBucketArn' | 'evidenceKeyArn'>,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadEvidenceCopyBeforeObjectDelete',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectLegalHold'],
      resources: [`${refs.evidenceBucketArn}/incidents/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ListEvidenceBeforeObjectDelete',
      actions: ['s3:ListBucket'],
      resources: [refs.evidenceBucketArn],
      conditions: { StringLike: { 's3:prefix': ['incidents/*'] } },
    }),
    new iam.PolicyStatement({
      sid: 'DecryptEvidenceRecord',
      actions: ['kms:Decrypt'],
      resources: [refs.evidenceKeyArn],
    }),
  ];
}
