import { SSM_DOCUMENT_KEYS, ssmDocumentName } from '@ir/ssm-documents';
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { MEMBER_ACTING_SERVICES, memberRoleNameOf, SERVICE_NAMES } from './config.js';
import { ANYWHERE } from './constructs/coordinator-ingress.js';
import type { MemberAccountStack } from './member-account-stack.js';
import type { IncidentResponseStack } from './system-stack.js';

/** Why the act policies use wildcard resources; shared by both stacks. */
const ACT_POLICY_REASON =
  'Incident response acts on whatever resource a finding names (any instance, ENI, security group, NACL, user, role, bucket, snapshot): the resources cannot be known when deploying. Actions are the exact list the service calls; explicit denies (guard policy) bound what it can do.';

/**
 * Acknowledges one cdk-nag finding on one construct, with its reason. For AwsSolutions-IAM5 the id
 * names what it applies to (`AwsSolutions-IAM5[Resource::…]` or `[Action::…]`, tokens rendered as
 * cdk-nag renders them): each wildcard is acknowledged on its own, so a new one fails synthesis.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges exactly these IAM5 wildcards (`Resource::…`, `Action::…`) on `scope`. */
function acknowledgeWildcards(scope: IConstruct, appliesTo: readonly string[], reason: string): void {
  for (const wildcard of appliesTo) acknowledge(scope, `AwsSolutions-IAM5[${wildcard}]`, reason);
}

/**
 * The wildcards of each act policy, written out (deploy/src/iam/*-policy.ts; docs/iam shows them).
 * Why a list and not the pack's own report: acknowledging whatever the report finds would acknowledge
 * a wildcard added tomorrow too. A policy change that adds one fails synthesis until it is added here.
 */
export function actPolicyWildcards(
  service: 'isolator' | 'forensics',
  tokens: { readonly prefix: string; readonly evidenceKeyId: string; readonly evidenceBucketArn?: string },
): string[] {
  const ec2 = (resource: string) => `Resource::arn:<AWS::Partition>:ec2:*:*:${resource}/*`;
  const rds = (type: string) => `Resource::arn:<AWS::Partition>:rds:*:*:${type}:*`;
  if (service === 'isolator') {
    return [
      'Resource::*',
      ...['instance', 'network-interface', 'security-group', 'volume', 'vpc', 'network-acl'].map(ec2),
      'Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*',
      'Resource::arn:<AWS::Partition>:iam::*:user/*',
      'Resource::arn:<AWS::Partition>:iam::*:role/*',
      // The quarantine policies (TRAPS 20): only under their path, names per incident and principal.
      'Resource::arn:<AWS::Partition>:iam::*:policy/ir-quarantine/*',
      'Resource::arn:<AWS::Partition>:s3:::*',
      // The S3 object a malware finding names (contain.s3-object tags, contain.s3-object-delete).
      'Resource::arn:<AWS::Partition>:s3:::*/*',
      // RDS databases a finding names (contain.rds-*): any instance or cluster, its subnet group.
      ...['db', 'cluster', 'subgrp'].map(rds),
      // The Lambda function a finding names (contain.lambda-function), and its event-source mappings.
      'Resource::arn:<AWS::Partition>:lambda:*:*:function:*',
      'Resource::arn:<AWS::Partition>:lambda:*:*:event-source-mapping:*',
      // The ECS task a finding names (contain.ecs-task, contain.ecs-task-stop): any cluster's.
      'Resource::arn:<AWS::Partition>:ecs:*:*:task/*',
      // The protected-tag gate (TRAPS 22): the tags of that task's cluster (read-only).
      'Resource::arn:<AWS::Partition>:ecs:*:*:cluster/*',
      // The EKS cluster a finding names (contain.eks-endpoint-access): its endpoint and record tags.
      'Resource::arn:<AWS::Partition>:eks:*:*:cluster/*',
      // contain.eks-workload-role: the pod-identity association of the service account a finding
      // names (read-only: its role ARN).
      'Resource::arn:<AWS::Partition>:eks:*:*:podidentityassociation/*/*',
    ];
  }
  return [
    'Resource::*',
    ec2('instance'),
    ec2('volume'),
    'Resource::arn:<AWS::Partition>:ec2:*::snapshot/*',
    `Resource::arn:<AWS::Partition>:kms:*:*:key/${tokens.evidenceKeyId}`,
    // The system's own SSM documents (@ir/ssm-documents), each by name; any region and account.
    ...SSM_DOCUMENT_KEYS.map(
      (key) => `Resource::arn:<AWS::Partition>:ssm:*:*:document/${ssmDocumentName(tokens.prefix, key)}`,
    ),
    ...(tokens.evidenceBucketArn ? [`Resource::${tokens.evidenceBucketArn}/incidents/*`] : []),
    // evidence.snapshot-rds: the database a finding names, and the evidence snapshots (`ir-…`).
    ...['db', 'cluster', 'snapshot', 'cluster-snapshot'].map(rds),
    'Resource::arn:<AWS::Partition>:rds:*:*:snapshot:ir-*',
    'Resource::arn:<AWS::Partition>:rds:*:*:cluster-snapshot:ir-*',
    // evidence.collect-lambda: the function a finding names (read-only).
    'Resource::arn:<AWS::Partition>:lambda:*:*:function:*',
    // evidence.collect-ecs-task: the task a finding names (read-only).
    'Resource::arn:<AWS::Partition>:ecs:*:*:task/*',
    // evidence.collect-eks-cluster: the cluster a finding names, its node groups and pod-identity
    // associations (read-only).
    'Resource::arn:<AWS::Partition>:eks:*:*:cluster/*',
    'Resource::arn:<AWS::Partition>:eks:*:*:nodegroup/*/*/*',
    'Resource::arn:<AWS::Partition>:eks:*:*:podidentityassociation/*/*',
    // evidence.s3-object: the object version a malware finding names (read-only).
    'Resource::arn:<AWS::Partition>:s3:::*/*',
  ];
}

/** Why sharing evidence snapshots needs wildcards; shared by both stacks. */
const SHARE_SNAPSHOTS_REASON =
  'Sharing evidence snapshots with the forensics (security) account: snapshot ids are not known at deploy time, but ModifySnapshotAttribute is limited to snapshots tagged ir:purpose=forensic evidence and to adding that one account (ec2:Add/userId, no group); DescribeSnapshotAttribute (read-back) has no resource-level permissions.';

/** Acknowledges the two wildcards of the snapshot-sharing statements on `role`. */
function acknowledgeSnapshotSharing(role: IConstruct): void {
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::snapshot/*]',
    SHARE_SNAPSHOTS_REASON,
  );
  acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', SHARE_SNAPSHOTS_REASON);
}

function logicalIdOf(element: IConstruct): string {
  return Stack.of(element).getLogicalId(element.node.defaultChild as CfnElement);
}

/** Every acknowledged cdk-nag finding of the system stack, each with its reason (see README). */
export function suppressSystemStackFindings(stack: IncidentResponseStack): void {
  acknowledge(
    stack.node.findChild('FindingRules').node.findChild('DeliveryDlq'),
    'AwsSolutions-SQS3',
    'This queue is itself a dead-letter queue: the EventBridge targets dead-letter undeliverable findings into it (an EventBridge DLQ, not an SQS redrive, which cdk-nag does not recognise). It alarms when not empty.',
  );
  for (const service of SERVICE_NAMES) {
    const worker = stack.services[service];
    const taskDefinition = worker.service.taskDefinition;
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret configuration (names, prefix, region, port, retention) is in environment variables; every secret (decision-signing keys, external id, notifier and Slack credentials) comes from Secrets Manager through the secrets property.',
    );
    const executionRole = taskDefinition.executionRole;
    if (executionRole) {
      acknowledge(
        executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'Generated by CDK for the execution role: ecr:GetAuthorizationToken has no resource-level permissions and must be granted on *. Image pull and log writes are scoped to the repository and log group.',
      );
    }
  }
  for (const secret of Object.values(stack.decisionKeys.secrets)) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Rotated by an operator, not a rotation Lambda: a new value goes into the inactive slot and decisionSigningKey flips to it on the next deployment, so the coordinator keeps verifying decisions signed with the previous key while tasks roll over (README, "Decision-signing key"). A Lambda rotating the active secret would break decisions in flight.',
    );
  }
  const evidenceKey = `<${logicalIdOf(stack.evidence.key)}>`;
  const evidenceBucketArn = `<${logicalIdOf(stack.evidence.bucket)}.Arn>`;
  acknowledgeWildcards(
    stack.node.findChild('IsolatorActPolicy'),
    actPolicyWildcards('isolator', { prefix: stack.config.prefix, evidenceKeyId: evidenceKey }),
    ACT_POLICY_REASON,
  );
  acknowledgeWildcards(
    stack.node.findChild('ForensicsActPolicy'),
    actPolicyWildcards('forensics', {
      prefix: stack.config.prefix,
      evidenceKeyId: evidenceKey,
      evidenceBucketArn,
    }),
    `${ACT_POLICY_REASON} The evidence objects are under incidents/<incidentId>/, unknown at deploy time.`,
  );
  for (const service of MEMBER_ACTING_SERVICES) {
    acknowledge(
      stack.services[service].taskRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleNameOf(stack.config.prefix, service)}]`,
      `sts:AssumeRole on the ${service}'s own response role in any member account: member accounts join over time and are allowed at run time (IR_ALLOWED_ACCOUNTS); that role trusts only this task role with the external id, and with organizationId set the grant is limited to the organization (aws:ResourceOrgID).`,
    );
  }
  acknowledgeSnapshotSharing(stack.services.forensics.taskRole);
  acknowledgeFindingSync(stack);
  acknowledgeCleanRoom(stack);
  acknowledgeSlackIngress(stack);
  // The console's entry (ConsoleIngress) needs no acknowledgement: internal, access logs on, and its
  // group never admits 0.0.0.0/0 (config.ts refuses it), so EC23 has nothing to report.
  if (stack.config.organizationId) {
    for (const service of ['response-coordinator', 'isolator'] as const) {
      acknowledge(
        stack.services[service].taskRole,
        'AwsSolutions-IAM5[Resource::*]',
        'organizations:ListAccounts (IR_ALLOWED_ACCOUNTS_SOURCE=organizations) has no resource-level permissions; it is read-only and decides which accounts the system may act in.',
      );
    }
  }
  acknowledge(
    stack.services.isolator.taskRole,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack.evidence.bucket)}.Arn>/incidents/*]`,
    'The isolator reads (never writes) the evidence record and copy of an object under incidents/<incidentId>/ before contain.s3-object-delete deletes that object version (evidence first); incident ids are not known at deploy time, so the grant is that prefix of this one bucket.',
  );
  acknowledge(
    stack.services['response-coordinator'].taskRole,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack.evidence.bucket)}.Arn>/incidents/*]`,
    'The coordinator reads (never writes) evidence objects under incidents/<incidentId>/ to verify them for incident reports (GET /incidents/:id/report); incident ids are not known at deploy time, so the grant is that prefix of this one bucket.',
  );
}

/**
 * The Slack ingress admits HTTPS from anywhere unless `slackIngressAllowedCidrs` narrows it; only then
 * is EC23 acknowledged, so a narrowed group that later opens up fails synthesis.
 */
function acknowledgeSlackIngress(stack: IncidentResponseStack): void {
  const ingress = stack.slackIngress;
  const cidrs = stack.config.slackIngressAllowedCidrs;
  if (!ingress || (cidrs.length > 0 && !cidrs.includes(ANYWHERE))) return;
  acknowledge(
    ingress.securityGroup,
    'AwsSolutions-EC23',
    "The Slack ingress load balancer admits HTTPS (443 only) from anywhere because Slack publishes no fixed egress addresses. Slack's v0 request signature, verified by the coordinator with the signing secret, authenticates each request; the listener forwards only POST /slack/interactions and answers 404 to everything else, so the operator API stays private.",
  );
}

/**
 * The notifier's finding sync (deploy/src/iam/notifier-finding-sync-policy.ts), only when configured:
 * findings come from every region, and GuardDuty's detector ids are per region and unknown here.
 */
function acknowledgeFindingSync(stack: IncidentResponseStack): void {
  const role = stack.services.notifier.taskRole;
  const reason =
    'The finding sync marks findings where they live: in this account only, but in any region a finding comes from (regions are not known at deploy time), so the Security Hub hubs are named with a region wildcard (and the v2 hub, whose id is not known here, with an id wildcard).';
  if (stack.config.findingSync) {
    for (const hub of ['hub/default', 'hubv2/*']) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:securityhub:*:<AWS::AccountId>:${hub}]`,
        reason,
      );
    }
  }
  if (stack.config.guardDutyArchiveFalsePositives) {
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'guardduty:ArchiveFindings, guardduty:GetFindings and guardduty:ListDetectors support no resource-level permissions (Service Authorization Reference), so they are granted on *; the notifier archives only the findings of an incident an operator resolved as a false positive, with IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES on.',
    );
  }
}

/** Why the clean room's grants name resource types, not ids. */
const CLEAN_ROOM_REASON =
  'Clean room (evidence.clean-room): the analysis instance, its volumes and interfaces are created per incident, so their ids are unknown at deploy time; every statement on them requires the tag ir:purpose=clean-room (on the request when creating, on the resource when attaching, terminating or deleting) or the launch template, and CreateVolume from snapshots only from those tagged ir:purpose=forensic evidence.';

/** Acknowledges the clean room's wildcard findings: the forensics task role's and the instance role's. */
function acknowledgeCleanRoom(stack: IncidentResponseStack): void {
  const cleanRoom = stack.cleanRoom;
  if (!cleanRoom) return;
  const role = stack.services.forensics.taskRole;
  for (const type of ['instance', 'volume', 'network-interface']) {
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:${type}/*]`,
      CLEAN_ROOM_REASON,
    );
  }
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*]',
    CLEAN_ROOM_REASON,
  );
  acknowledge(
    cleanRoom.instanceRole,
    'AwsSolutions-IAM5[Resource::*]',
    'The SSM agent core calls of the analysis instance (UpdateInstanceInformation, ssmmessages, ec2messages) have no resource-level permissions; the same set as AmazonSSMManagedInstanceCore without its S3 and parameter access.',
  );
}

/** The member stack's parameters, as cdk-nag renders them in finding ids. */
const MEMBER_TOKENS = { prefix: '<SystemPrefix>', evidenceKeyId: '<EvidenceKeyId>' } as const;

/** Every acknowledged cdk-nag finding of the member-account stack, each with its reason. */
export function suppressMemberStackFindings(stack: MemberAccountStack): void {
  acknowledgeWildcards(
    stack.node.findChild('IsolatorActions'),
    actPolicyWildcards('isolator', MEMBER_TOKENS),
    ACT_POLICY_REASON,
  );
  acknowledgeWildcards(
    stack.node.findChild('ForensicsActions'),
    actPolicyWildcards('forensics', MEMBER_TOKENS),
    ACT_POLICY_REASON,
  );
  acknowledgeSnapshotSharing(stack.roles.forensics);
}
