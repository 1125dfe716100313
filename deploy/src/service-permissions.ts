import { Aws, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  type DeployConfig,
  MEMBER_ACTING_SERVICES,
  memberRoleNameOf,
  type ServiceName,
  taskRoleNameOf,
} from './config.js';
import type { CleanRoom } from './constructs/clean-room.js';
import type { EvidenceStore } from './constructs/evidence-store.js';
import { type IrQueues, type LogicalQueueName, QUEUE_NAMES } from './constructs/queues.js';
import type { WorkerService } from './constructs/worker-service.js';
import { coordinatorReportStatements } from './iam/coordinator-report-policy.js';
import { forensicsStatements } from './iam/forensics-policy.js';
import { evidenceGuardStatements } from './iam/evidence-guard.js';
import { EXISTING_RESOURCE_TAG_KEYS, guardStatements } from './iam/guard-statements.js';
import { isolatorEvidenceReadStatements, isolatorStatements } from './iam/isolator-policy.js';
import { type FindingSyncGrants, notifierFindingSyncStatements } from './iam/notifier-finding-sync-policy.js';
import type { PolicyRefs } from './iam/policy-refs.js';
import { shareEvidenceSnapshots } from './iam/share-snapshots.js';
import {
  COORDINATOR_DLQ_READ_ACTIONS,
  COORDINATOR_DLQ_REDRIVE_ACTIONS,
  COORDINATOR_DLQ_SIDS,
  SYSTEM_QUEUES,
  serviceSendersOf,
} from './queue-senders.js';

/** Queue each service consumes. */
const CONSUMES: Readonly<Record<ServiceName, LogicalQueueName>> = {
  detection: 'findings',
  'response-coordinator': 'coordinator',
  isolator: 'isolator',
  forensics: 'forensics',
  notifier: 'notifier',
};

/** DynamoDB item actions per service (TransactWriteItems is authorised per contained operation). */
const TABLE_ACTIONS: Partial<Record<ServiceName, readonly string[]>> = {
  detection: [
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:ConditionCheckItem',
    // The suppression rules written through the operator API (`SUPPRESSIONS` partition), re-read live.
    'dynamodb:Query',
  ],
  'response-coordinator': [
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    // Published outbox entries are deleted 25 to a call (the coordinator already may put and delete).
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:Query',
    // A suppression proposal counts the stored findings of every incident its rule would have matched.
    'dynamodb:Scan',
  ],
};

export interface ServicePermissionsProps {
  readonly config: DeployConfig;
  readonly services: Readonly<Record<ServiceName, WorkerService>>;
  readonly queues: IrQueues;
  readonly table: dynamodb.ITableV2;
  readonly evidence: EvidenceStore;
  /** The notifier's IR_SNS_TOPIC_ARN, when its SNS channel is configured. */
  readonly snsTopicArn?: string;
  /** Whether the notifier's Security Hub channel is on (IR_SECURITYHUB_ENABLED). */
  readonly securityHub: boolean;
  /**
   * Whether the coordinator marks findings at their source (IR_FINDING_SYNC) and archives GuardDuty's
   * false positives (IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES): the notifier makes those calls.
   */
  readonly findingSync?: FindingSyncGrants;
  /** The clean room, when configured: the forensics guard exempts its instance role and resources. */
  readonly cleanRoom?: CleanRoom | undefined;
}

/**
 * Grants each task role exactly what its service calls: consume its queue, send to the queues the
 * sender table lists it for (queue-senders.ts: publishes, deferred copies, its DLQ), the table items
 * it reads or writes, and for the workers that act on resources their act policy (deploy/src/iam),
 * sts:AssumeRole on their own member response role, and the guard denies; and every task role the
 * evidence denies (deploy/src/iam/evidence-guard.ts). The coordinator also reads and redrives the five
 * DLQs for the console ({@link COORDINATOR_DLQ_READ_ACTIONS}).
 */
export function grantServicePermissions(scope: Construct, props: ServicePermissionsProps): void {
  const { services, queues, config } = props;
  for (const [service, worker] of Object.entries(services) as [ServiceName, WorkerService][]) {
    queues.pairs[CONSUMES[service]].queue.grantConsumeMessages(worker.taskRole);
    // Exactly the sends of the sender table, which the queue policies enforce too (queue-senders.ts):
    // its publishes, its deferred copies, and its dead-letter copies (with the reason; the grant also
    // lets the runtime read the DLQ's depth).
    for (const queue of SYSTEM_QUEUES) {
      if (queue === 'findings-delivery-dlq' || !serviceSendersOf(queue).includes(service)) continue;
      queues.byName(queue).grantSendMessages(worker.taskRole);
    }
    const tableActions = TABLE_ACTIONS[service];
    if (tableActions) {
      worker.taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'IncidentTable',
          actions: [...tableActions],
          resources: [props.table.tableArn, `${props.table.tableArn}/index/gsi1`],
        }),
      );
    }
  }

  const protectedRoles = [
    ...(Object.keys(services) as ServiceName[]).map(
      (service) =>
        `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${taskRoleNameOf(config.prefix, service)}`,
    ),
    props.evidence.breakGlassRoleArn,
    ...(props.cleanRoom ? [props.cleanRoom.instanceRole.roleArn] : []),
  ];
  const refs: PolicyRefs = {
    partition: Aws.PARTITION,
    evidenceBucketArn: props.evidence.bucket.bucketArn,
    evidenceKeyArn: props.evidence.key.keyArn,
    evidenceKeyId: props.evidence.key.keyId,
    evidenceSigningKeyArn: props.evidence.signingKey.keyArn,
    prefix: props.config.prefix,
  };
  const actStatements = {
    isolator: isolatorStatements(refs.partition),
    forensics: forensicsStatements(refs),
  };
  for (const service of MEMBER_ACTING_SERVICES) {
    const role = services[service].taskRole;
    new iam.ManagedPolicy(scope, `${toPascal(service)}ActPolicy`, {
      managedPolicyName: `${config.prefix}-${service}-act`,
      description: `What the ${service} does to resources in this account (deploy/src/iam/${service}-policy.ts)`,
      statements: actStatements[service],
      roles: [role],
    });
    new iam.ManagedPolicy(scope, `${toPascal(service)}GuardPolicy`, {
      managedPolicyName: `${config.prefix}-${service}-guard`,
      description:
        'Explicit denies: no changes to the system roles, no new credentials, no evidence destruction',
      statements: guardStatements({
        protectedRoleArns: protectedRoles,
        existingResourceTagKeys: EXISTING_RESOURCE_TAG_KEYS[service],
        cleanRoom: service === 'forensics' ? props.cleanRoom?.guardExemption : undefined,
        objectVersionDelete: service === 'isolator',
      }),
      roles: [role],
    });
    // Its own member role only: the isolator cannot act with forensics' rights, nor the reverse.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeOwnMemberResponseRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${memberRoleNameOf(config.prefix, service)}`],
        ...(config.organizationId
          ? { conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } } }
          : {}),
      }),
    );
  }

  for (const [service, worker] of Object.entries(services) as [ServiceName, WorkerService][]) {
    new iam.ManagedPolicy(scope, `${toPascal(service)}EvidenceGuardPolicy`, {
      managedPolicyName: `${config.prefix}-${service}-evidence-guard`,
      description:
        'Explicit denies: no change to the evidence and log buckets, no evidence deletion or retention change, KMS grants only for AWS services',
      statements: evidenceGuardStatements({
        evidenceBucketArn: props.evidence.bucket.bucketArn,
        logBucketArn: props.evidence.accessLogs.bucketArn,
        retentionWriter:
          service === 'forensics'
            ? { lockMode: config.evidenceLockMode, retentionDays: config.evidenceRetentionDays }
            : undefined,
      }),
      roles: [worker.taskRole],
    });
  }

  // IR_ALLOWED_ACCOUNTS_SOURCE=organizations: the services that decide whether an account may be acted
  // in list the organization's accounts (ListAccounts has no resource-level permissions).
  if (config.organizationId) {
    for (const service of ['response-coordinator', 'isolator', 'forensics'] as const) {
      services[service].taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ListOrganizationAccounts',
          actions: ['organizations:ListAccounts'],
          resources: ['*'],
        }),
      );
    }
  }
  for (const statement of shareEvidenceSnapshots(Aws.ACCOUNT_ID))
    services.forensics.taskRole.addToPrincipalPolicy(statement);

  for (const statement of isolatorEvidenceReadStatements(refs))
    services.isolator.taskRole.addToPrincipalPolicy(statement);
  for (const statement of coordinatorReportStatements(refs))
    services['response-coordinator'].taskRole.addToPrincipalPolicy(statement);
  // The console's DLQ view and redrive (COORDINATOR_DLQ_READ_ACTIONS): the five DLQs of the work
  // queues, not the finding rules' delivery DLQ, which no route reads.
  const deadLetterQueues = QUEUE_NAMES.map((name) => queues.pairs[name].dlq.queueArn);
  services['response-coordinator'].taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: COORDINATOR_DLQ_SIDS.read,
      actions: [...COORDINATOR_DLQ_READ_ACTIONS],
      resources: deadLetterQueues,
    }),
  );
  services['response-coordinator'].taskRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: COORDINATOR_DLQ_SIDS.redrive,
      actions: [...COORDINATOR_DLQ_REDRIVE_ACTIONS],
      resources: deadLetterQueues,
    }),
  );

  const notifier = services.notifier.taskRole;
  // The notifier's SNS channel publishes to IR_SNS_TOPIC_ARN only (services/notifier/src/channels/sns.ts).
  if (props.snsTopicArn) {
    notifier.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: [props.snsTopicArn],
      }),
    );
  }
  if (props.securityHub) {
    // The notifier's Security Hub channel (services/notifier/src/channels/security-hub.ts): it imports
    // one finding per incident as this account's own `default` product, into this account's hub in
    // this region, and reads it back from that hub. Each action on its own resource type only.
    const stack = Stack.of(scope);
    const securityHub = `arn:${Aws.PARTITION}:securityhub:${stack.region}:${stack.account}`;
    notifier.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecurityHubImportOwnFindings',
        actions: ['securityhub:BatchImportFindings'],
        resources: [`${securityHub}:product/${stack.account}/default`],
      }),
    );
    notifier.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecurityHubReadBackFindings',
        actions: ['securityhub:GetFindings'],
        resources: [`${securityHub}:hub/default`],
      }),
    );
  }
  // The notifier's finding sync (deploy/src/iam/notifier-finding-sync-policy.ts), when configured.
  if (props.findingSync) {
    const refs = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID };
    for (const statement of notifierFindingSyncStatements(refs, props.findingSync))
      notifier.addToPrincipalPolicy(statement);
  }
}

function toPascal(value: string): string {
  return value
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
