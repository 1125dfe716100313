import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorName } from '../errors.js';
import { type MiddlewareHost, serviceLabel } from './metrics-middleware.js';

/**
 * Whose credentials signed a call: the service's own (its ECS task role) or the member response
 * role it assumed in another account.
 */
export type AwsCallPrincipal = 'task' | 'member';

/** Where a client acts and as whom; known to the client factory when it builds the client. */
export interface AwsCallTarget {
  readonly account: () => Promise<string>;
  readonly region: string;
  readonly principal: AwsCallPrincipal;
  /** The role assumed, when `principal` is `member`. */
  readonly roleArn?: string | undefined;
}

/** One line of the call log: one logical SDK call (retries underneath are not repeated). */
export interface AwsCallRecord {
  /** Our service, e.g. `isolator`. */
  readonly service: string;
  /** The SDK client's service id, e.g. `ec2`, `elasticloadbalancingv2`. */
  readonly client: string;
  /** The command without `Command`, e.g. `ModifyNetworkInterfaceAttribute`. */
  readonly operation: string;
  readonly account: string;
  readonly region: string;
  readonly principal: AwsCallPrincipal;
  readonly roleArn?: string | undefined;
  /** The input's identifying fields only (see {@link identifyingFields}). */
  readonly input: Record<string, unknown>;
  /** Ids the call created or described (groups, instances, volumes, snapshots) with their tags. */
  readonly output?: Record<string, unknown> | undefined;
  readonly outcome: 'success' | 'error';
  readonly errorName?: string | undefined;
}

/** Where records go. */
export interface AwsCallLog {
  append(record: AwsCallRecord): void;
}

/**
 * A call log writing one JSON line per call to `<directory>/<service>-<pid>.jsonl`. Test and audit
 * tooling only (`IR_AWS_CALL_LOG`): the IAM proof (tools/iam-proof) replays these calls against the
 * synthesised task-role policies. Synchronous appends, so a killed process loses no line and lines of
 * services sharing a process never interleave.
 */
export function createAwsCallLog(directory: string, service: string): AwsCallLog {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${service.replace(/[^\w.-]/g, '_')}-${process.pid}.jsonl`);
  return {
    append(record) {
      appendFileSync(file, `${JSON.stringify(record)}\n`);
    },
  };
}

/**
 * Input keys that name what a call acts on (resources, tags, documents, attributes), at any depth.
 * An allow-list, so bodies, messages, policies, command parameters and secrets (an external id, a
 * session token) never reach the log.
 */
const IDENTIFYING_KEYS = new Set([
  'AccessKeyId',
  'Arn',
  'Attribute',
  'AutoScalingGroupName',
  'AutoScalingGroupNames',
  'Add',
  'AvailabilityZone',
  'Bucket',
  'CommandId',
  'CreateAction',
  'UserGroups',
  'UserIds',
  'UserId',
  'QueueName',
  'Path',
  'OperationType',
  'ObjectLockMode',
  // S3 PutObjectLegalHold's `{ Status }` (ON or OFF), which the evidence guard conditions on.
  'LegalHold',
  'Status',
  'KmsKeyId',
  'CreateVolumePermission',
  // RDS: the database, snapshot or subnet group a call names, and the groups it sets.
  'DBClusterIdentifier',
  'DBClusterSnapshotIdentifier',
  'DBInstanceIdentifier',
  'DBSnapshotIdentifier',
  'DBSubnetGroupName',
  'ResourceName',
  'VpcSecurityGroupIds',
  // Lambda: the function (name or ARN, and version or alias), the tagged resource, the mapping.
  'FunctionName',
  'Qualifier',
  'Resource',
  'UUID',
  // ECS (lowerCamel inputs): the task, cluster, task definition or tagged resource a call names, and
  // the tags (`{ key, value }`) and tag keys it writes or removes.
  'cluster',
  'task',
  'tasks',
  'taskDefinition',
  'resourceArn',
  'tags',
  'tagKeys',
  'key',
  'value',
  // EKS (lowerCamel inputs): the cluster (`name`, `clusterName`), node group and pod-identity
  // association a call names; its `resourceArn`, `tags` (a map) and `tagKeys` are the ECS keys above.
  'name',
  'clusterName',
  'nodegroupName',
  'associationId',
  // GuardDuty: the detector a finding call goes through.
  'DetectorId',
  'Device',
  'DocumentName',
  'DryRun',
  'Egress',
  'GroupId',
  'GroupIds',
  'GroupName',
  'Groups',
  'IamInstanceProfile',
  'Id',
  'ImageId',
  'IndexName',
  'InstanceId',
  'InstanceIds',
  'InstanceProfileName',
  'InstanceSpecification',
  'Key',
  'KeyId',
  'LaunchTemplate',
  'LaunchTemplateId',
  'LaunchTemplateName',
  'LoadBalancerArn',
  'Name',
  'NetworkAclId',
  'NetworkInterfaceId',
  'NetworkInterfaces',
  'PolicyArn',
  'PolicyName',
  'Prefix',
  'QueueUrl',
  'Resources',
  'ResourceArn',
  'ResourceId',
  'ResourceIdList',
  'ResourceType',
  'RoleArn',
  'RoleName',
  'RuleNumber',
  'SecurityGroupIds',
  'SecurityGroupRuleIds',
  'SnapshotId',
  'SourceRegion',
  'SourceSnapshotId',
  'SubnetId',
  'TableName',
  'TagKeys',
  'TagSpecifications',
  'Tags',
  'TagsList',
  'Target',
  'Targets',
  'TargetGroupArn',
  'TargetGroupArns',
  'TopicArn',
  'TrailName',
  'TrailNameList',
  'UserName',
  'Value',
  'VersionId',
  'VolumeId',
  'VolumeIds',
  'VpcId',
  'trailNameList',
  // Containers whose identifying children are kept (a transaction's table names).
  'TransactItems',
  'Put',
  'Update',
  'Delete',
  'ConditionCheck',
  'Entries',
]);

/**
 * Output keys naming what a call created or described, with the resources' tags: the proof replays
 * tags to evaluate `aws:ResourceTag` conditions on later calls.
 */
const OUTPUT_KEYS = new Set([
  'Command',
  'CommandId',
  'GroupId',
  'Instances',
  'InstanceId',
  'Key',
  'Reservations',
  'SecurityGroups',
  'SnapshotId',
  'Snapshots',
  'Tags',
  'Value',
  'VolumeId',
  'Volumes',
]);

/**
 * The identifying part of an SDK input or output: only `keys`, recursively, strings cut at 512
 * characters, at most 8 levels deep. Exported for its unit test.
 */
export function identifyingFields(
  value: unknown,
  keys: ReadonlySet<string> = IDENTIFYING_KEYS,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object' || depth > 8) return out;
  for (const [key, child] of Object.entries(value)) {
    if (!keys.has(key)) continue;
    // Lambda's and EKS's tags are a map of key to value, not `{ Key, Value }` pairs: kept as they are.
    const kept =
      (key === 'Tags' || key === 'tags') && isStringMap(child) ? child : keep(child, keys, depth + 1);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

function keep(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (typeof value === 'string') return value.slice(0, 512);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => keep(item, keys, depth));
  if (value !== null && typeof value === 'object') {
    // Tags are { Key, Value } pairs at any depth; other objects keep their identifying keys.
    return identifyingFields(value, keys, depth);
  }
  return undefined;
}

/**
 * Records every call of `client` in `log`, with where it acted and as whom. Added only when a call log
 * is configured, so a service without one carries no extra middleware at all. At the `initialize`
 * step, like the call counter: one logical call is one line whatever the SDK retried.
 */
export function addCallRecorder(
  client: MiddlewareHost,
  log: AwsCallLog,
  service: string,
  target: AwsCallTarget,
): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: unknown) => {
        const base = {
          service,
          client: serviceLabel(context.clientName),
          operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          region: target.region,
          principal: target.principal,
          ...(target.roleArn ? { roleArn: target.roleArn } : {}),
          input: identifyingFields((args as { input?: unknown }).input),
        };
        // Not awaited: the home account may itself be looked up by this very call (STS
        // GetCallerIdentity), and a record must never hold a call back.
        const write = (rest: Pick<AwsCallRecord, 'outcome' | 'output' | 'errorName'>) => {
          void target
            .account()
            .catch(() => 'unknown')
            .then((account) => log.append({ ...base, account, ...rest }))
            // A full disk must not fail the service: the proof then reports the call as missing.
            .catch(() => undefined);
        };
        try {
          const result = await next(args);
          const output = identifyingFields((result as { output?: unknown }).output, OUTPUT_KEYS);
          write({ outcome: 'success', ...(Object.keys(output).length > 0 ? { output } : {}) });
          return result;
        } catch (error: unknown) {
          write({ outcome: 'error', errorName: errorName(error) });
          throw error;
        }
      },
    { step: 'initialize', name: 'irCallRecorder', override: true },
  );
}
