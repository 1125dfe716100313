import { Aws, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type DeployConfig, type ServiceName, taskRoleNameOf } from './config.js';
import type { EvidenceStore } from './constructs/evidence-store.js';
import type { IrQueues, LogicalQueueName } from './constructs/queues.js';
import type { WorkerService } from './constructs/worker-service.js';
import { guardStatements } from './iam/guard-statements.js';
import { type LoadedPolicy, resolvePlaceholders } from './iam/load-policy.js';
import { shareEvidenceSnapshots } from './iam/share-snapshots.js';

/** Queues each service publishes to (packages/runtime `resolveQueueUrls` in each service's app.ts). */
export const PUBLISHES_TO: Readonly<Record<ServiceName, readonly LogicalQueueName[]>> = {
  detection: ['coordinator'],
  'response-coordinator': ['isolator', 'forensics', 'notifier', 'coordinator'],
  isolator: ['coordinator'],
  // forensics sends itself delayed follow-ups (the evidence snapshot watch).
  forensics: ['coordinator', 'forensics'],
  notifier: ['coordinator'],
};

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
  ],
  'response-coordinator': [
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:Query',
  ],
};

export interface ServicePermissionsProps {
  readonly config: DeployConfig;
  readonly services: Readonly<Record<ServiceName, WorkerService>>;
  readonly queues: IrQueues;
  readonly table: dynamodb.ITableV2;
  readonly evidence: EvidenceStore;
  readonly policies: { readonly isolator: LoadedPolicy; readonly forensics: LoadedPolicy };
  readonly snsTopicArn?: string;
  readonly securityHub: boolean;
}

/**
 * Grants each task role exactly what its service calls: consume its queue, copy to its DLQ, publish
 * to the queues it sends to, the table items it reads or writes, and for the workers that act on
 * resources their policy document, sts:AssumeRole on the member response role, and the guard denies.
 */
export function grantServicePermissions(scope: Construct, props: ServicePermissionsProps): void {
  const { services, queues, config } = props;
  for (const [service, worker] of Object.entries(services) as [ServiceName, WorkerService][]) {
    const own = queues.pairs[CONSUMES[service]];
    own.queue.grantConsumeMessages(worker.taskRole);
    // The runtime copies a poison message to the DLQ itself (with the reason) and reads its depth.
    own.dlq.grantSendMessages(worker.taskRole);
    for (const target of PUBLISHES_TO[service]) {
      if (target !== CONSUMES[service]) queues.pairs[target].queue.grantSendMessages(worker.taskRole);
      else own.queue.grantSendMessages(worker.taskRole);
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

  const protectedRoles = (Object.keys(services) as ServiceName[]).map(
    (service) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${taskRoleNameOf(config.prefix, service)}`,
  );
  const placeholders = {
    SecurityAccountId: Aws.ACCOUNT_ID,
    EvidenceBucket: props.evidence.bucket.bucketName,
    EvidenceKmsKeyId: props.evidence.key.keyId,
    ForensicsKmsKeyId: props.evidence.key.keyId,
    MemberRoleName: config.memberRoleName,
  };
  for (const service of ['isolator', 'forensics'] as const) {
    const role = services[service].taskRole;
    new iam.ManagedPolicy(scope, `${toPascal(service)}ActPolicy`, {
      managedPolicyName: `${config.prefix}-${service}-act`,
      description: `What the ${service} does to resources in this account (source: ${props.policies[service].source})`,
      document: iam.PolicyDocument.fromJson(
        resolvePlaceholders(props.policies[service].json, placeholders, {
          prefix: config.prefix,
          source: props.policies[service].source,
        }),
      ),
      roles: [role],
    });
    new iam.ManagedPolicy(scope, `${toPascal(service)}GuardPolicy`, {
      managedPolicyName: `${config.prefix}-${service}-guard`,
      description:
        'Explicit denies: no changes to the system roles, no new credentials, no evidence destruction',
      statements: guardStatements(protectedRoles),
      roles: [role],
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeMemberResponseRole',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.memberRoleName}`],
        ...(config.organizationId
          ? { conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } } }
          : {}),
      }),
    );
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

  // Evidence access comes from docs/iam/forensics-policy.json when it exists (it scopes keys to
  // incidents/*); these grants stand in only for the fallback policy.
  if (props.policies.forensics.source === 'fallback')
    grantEvidenceAccess(services.forensics.taskRole, props.evidence);

  grantEvidenceReadOnly(services['response-coordinator'].taskRole, props.evidence);

  const notifier = services.notifier.taskRole;
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
    const stack = Stack.of(scope);
    notifier.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecurityHubFindings',
        actions: ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
        resources: [
          `arn:${Aws.PARTITION}:securityhub:${stack.region}:${stack.account}:hub/default`,
          `arn:${Aws.PARTITION}:securityhub:${stack.region}:${stack.account}:product/${stack.account}/default`,
        ],
      }),
    );
  }
}

/** Evidence bucket and key access of the forensics service, when no docs/iam policy gives it. */
function grantEvidenceAccess(forensics: iam.IRole, evidence: EvidenceStore): void {
  forensics.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteAndVerifyEvidence',
      actions: [
        's3:PutObject',
        's3:PutObjectRetention',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectRetention',
        's3:GetObjectAttributes',
        // Memory images arrive as multipart uploads through presigned part URLs.
        's3:AbortMultipartUpload',
      ],
      resources: [evidence.bucket.arnForObjects('incidents/*')],
    }),
  );
  forensics.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListEvidence',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketObjectLockConfiguration'],
      resources: [evidence.bucket.bucketArn],
    }),
  );
  evidence.key.grant(
    forensics,
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:GenerateDataKey',
    'kms:DescribeKey',
    'kms:CreateGrant',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKeyWithoutPlaintext',
  );
}

/**
 * Read-only evidence access of the coordinator: its report route runs the evidence verifier, which
 * lists versions and reads them (never writes, never changes retention). Decrypt only, for SSE-KMS.
 */
function grantEvidenceReadOnly(coordinator: iam.IRole, evidence: EvidenceStore): void {
  coordinator.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadEvidenceForReports',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [evidence.bucket.arnForObjects('incidents/*')],
    }),
  );
  coordinator.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListEvidenceForReports',
      actions: ['s3:ListBucket', 's3:ListBucketVersions'],
      resources: [evidence.bucket.bucketArn],
    }),
  );
  evidence.key.grant(coordinator, 'kms:Decrypt', 'kms:DescribeKey');
}

function toPascal(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
