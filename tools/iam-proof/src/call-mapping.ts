import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './simulate.js';
import { partitionFor } from './template-resolver.js';

/** One line of a call log (packages/runtime `AwsCallRecord`), as read back from JSON. */
export interface CallRecord {
  readonly service: string;
  readonly client: string;
  readonly operation: string;
  readonly account: string;
  readonly region: string;
  readonly principal: 'task' | 'member';
  readonly roleArn?: string;
  readonly input: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly outcome: 'success' | 'error';
  readonly errorName?: string;
}

/** What the mapping needs besides the call: resource tags known so far, and KMS key bindings. */
export interface MappingContext {
  /** Tags of a resource (by ARN) as the call log has shown them so far; empty when unknown. */
  readonly tagsOf?: (arn: string) => Readonly<Record<string, string>>;
  /** The key ARN a `KeyId` (id, ARN, alias name or alias ARN) stands for, in `account`. */
  readonly keyArn?: (keyId: string, account: string, region: string) => string;
  /** The role ARN of an instance profile (name or ARN): RunInstances passes it (`iam:PassRole`). */
  readonly profileRole?: (profile: string) => string | undefined;
}

/** Raised for an SDK call the mapping does not know: the proof must not pass it silently. */
export class UnmappedCallError extends Error {
  override readonly name = 'UnmappedCallError';
}

type Input = Record<string, unknown>;
interface Where {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** `{ Key, Value }[]` of a tag list, or of the TagSpecifications for one resource type. */
function tagPairs(list: unknown): [string, string][] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((tag) => {
    const key = str((tag as Input)?.Key);
    return key === undefined ? [] : [[key, str((tag as Input).Value) ?? ''] as [string, string]];
  });
}

function specTags(input: Input, resourceType?: string): [string, string][] {
  const specs = Array.isArray(input.TagSpecifications) ? (input.TagSpecifications as Input[]) : [];
  return specs
    .filter((spec) => resourceType === undefined || spec.ResourceType === resourceType)
    .flatMap((spec) => tagPairs(spec.Tags));
}

/** `aws:RequestTag/<key>` for each tag and `aws:TagKeys`. */
function requestTagContext(tags: readonly [string, string][]): Record<string, string | string[]> {
  if (tags.length === 0) return {};
  return {
    ...Object.fromEntries(tags.map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    'aws:TagKeys': [...new Set(tags.map(([key]) => key))],
  };
}

/** ARN of an EC2 resource from its id, by the id's prefix. */
export function ec2Arn(id: string, where: Where): string {
  const kinds: [string, string, boolean][] = [
    ['i-', 'instance', true],
    ['eni-', 'network-interface', true],
    ['sg-', 'security-group', true],
    ['vol-', 'volume', true],
    ['snap-', 'snapshot', false],
    ['ami-', 'image', false],
    ['acl-', 'network-acl', true],
    ['vpc-', 'vpc', true],
    ['subnet-', 'subnet', true],
    ['lt-', 'launch-template', true],
  ];
  const kind = kinds.find(([prefix]) => id.startsWith(prefix));
  if (!kind) throw new UnmappedCallError(`no EC2 resource type for id ${id}`);
  const [, type, owned] = kind;
  return `arn:${where.partition}:ec2:${where.region}:${owned ? where.account : ''}:${type}/${id}`;
}

/**
 * The IAM requests one SDK call needs: action, resource ARN (`*` only where AWS has no resource type
 * for the action) and the request's context keys (`aws:RequestTag/…`, `aws:TagKeys`,
 * `ec2:CreateAction`, `iam:PolicyARN`, `kms:ViaService`, `s3:prefix`…). One call may need several:
 * ModifyNetworkInterfaceAttribute is authorised on the interface and on each group; RunInstances on
 * the instance, volumes, interface, subnet, groups, image and template, plus `ec2:CreateTags` for the
 * tags at creation and `iam:PassRole` for the profile's role.
 */
export async function iamRequestsFor(
  record: CallRecord,
  context: MappingContext = {},
): Promise<IamRequest[]> {
  const where: Where = {
    partition: partitionFor(record.region),
    region: record.region,
    account: record.account,
  };
  const requests = mapCall(
    record.client,
    record.operation,
    record.input,
    record.output ?? {},
    where,
    context,
  );
  return Promise.all(
    requests.map(async (request) => ({
      ...request,
      // A wildcard-only action is authorised on `*`, whatever identifiers the call carried.
      resource: (await wildcardOnly(request.action)) ? '*' : request.resource,
    })),
  );
}

/** Whether AWS has no resource type for `action`; unknown actions are left to the simulator to refuse. */
async function wildcardOnly(action: string): Promise<boolean> {
  const [service = '', name = ''] = action.split(':');
  try {
    return await isWildcardOnlyAction(service, name);
  } catch {
    return false;
  }
}

type Mapper = (input: Input, output: Input, where: Where, context: MappingContext) => IamRequest[];

const request = (
  action: string,
  resource: string,
  where: Where,
  extra: Record<string, string | string[]> = {},
  resourceAccount = where.account,
): IamRequest => ({ action, resource, resourceAccount, context: extra });

/** With the resource's known tags as `aws:ResourceTag/<key>`. */
function tagged(
  action: string,
  arn: string,
  where: Where,
  context: MappingContext,
  extra: Record<string, string | string[]> = {},
): IamRequest {
  const tags = context.tagsOf?.(arn) ?? {};
  const resourceTags = Object.fromEntries(
    Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
  );
  return request(action, arn, where, { ...resourceTags, ...extra });
}

function mapCall(
  client: string,
  operation: string,
  input: Input,
  output: Input,
  where: Where,
  context: MappingContext,
): IamRequest[] {
  const mapper = MAPPERS[client]?.(operation);
  if (!mapper) throw new UnmappedCallError(`no IAM mapping for ${client}:${operation}`);
  return mapper(input, output, where, context);
}

// --- SQS ------------------------------------------------------------------------------------------

/** `https://host/<account>/<name>` → the queue's ARN. */
export function queueArnFromUrl(url: string, where: Where): { arn: string; account: string } {
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean);
  if (!account || !name) throw new UnmappedCallError(`not a queue URL: ${url}`);
  return { arn: `arn:${where.partition}:sqs:${where.region}:${account}:${name}`, account };
}

const SQS_BATCH: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

const sqs =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => {
    const action = `sqs:${SQS_BATCH[operation] ?? operation}`;
    const url = str(input.QueueUrl);
    if (url) {
      const { arn, account } = queueArnFromUrl(url, where);
      return [request(action, arn, where, {}, account)];
    }
    const name = str(input.QueueName);
    const account = str(input.QueueOwnerAWSAccountId) ?? where.account;
    if (!name) throw new UnmappedCallError(`sqs:${operation} without QueueUrl or QueueName`);
    return [
      request(action, `arn:${where.partition}:sqs:${where.region}:${account}:${name}`, where, {}, account),
    ];
  };

// --- DynamoDB -------------------------------------------------------------------------------------

const TRANSACT: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

const dynamodb =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => {
    const table = (name: unknown) =>
      `arn:${where.partition}:dynamodb:${where.region}:${where.account}:table/${String(name)}`;
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      const items = Array.isArray(input.TransactItems) ? (input.TransactItems as Input[]) : [];
      return items.flatMap((item) =>
        Object.entries(item).map(([kind, body]) =>
          request(
            `dynamodb:${TRANSACT[kind] ?? (kind === 'Get' ? 'GetItem' : kind)}`,
            table((body as Input).TableName),
            where,
          ),
        ),
      );
    }
    if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
      const tables = Object.keys((input.RequestItems ?? {}) as Input);
      return tables.map((name) => request(`dynamodb:${operation}`, table(name), where));
    }
    const index = str(input.IndexName);
    return [
      request(`dynamodb:${operation}`, `${table(input.TableName)}${index ? `/index/${index}` : ''}`, where),
    ];
  };

// --- S3 -------------------------------------------------------------------------------------------

const S3_OBJECT: Record<string, string> = {
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  GetObjectRetention: 's3:GetObjectRetention',
  PutObjectRetention: 's3:PutObjectRetention',
  DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging',
  PutObjectTagging: 's3:PutObjectTagging',
  DeleteObjectTagging: 's3:DeleteObjectTagging',
  PutObjectLegalHold: 's3:PutObjectLegalHold',
  GetObjectLegalHold: 's3:GetObjectLegalHold',
};

/** Object actions AWS authorises as another action when the request names a version. */
const S3_VERSIONED: Record<string, string> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:PutObjectTagging': 's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
};
const S3_BUCKET: Record<string, string> = {
  GetBucketPolicy: 's3:GetBucketPolicy',
  PutBucketPolicy: 's3:PutBucketPolicy',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketVersioning: 's3:GetBucketVersioning',
  GetBucketLogging: 's3:GetBucketLogging',
  GetBucketAcl: 's3:GetBucketAcl',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  HeadBucket: 's3:ListBucket',
  // contain.tag-incident: S3 authorises DeleteBucketTagging as s3:PutBucketTagging (no key condition
  // exists for either).
  GetBucketTagging: 's3:GetBucketTagging',
  PutBucketTagging: 's3:PutBucketTagging',
  DeleteBucketTagging: 's3:PutBucketTagging',
};

const s3 = (operation: string): Mapper | undefined => {
  const objectAction = S3_OBJECT[operation];
  const bucketAction = S3_BUCKET[operation];
  if (!objectAction && !bucketAction) return undefined;
  return (input, _output, where) => {
    const bucket = str(input.Bucket);
    if (!bucket) throw new UnmappedCallError(`s3:${operation} without Bucket`);
    if (bucketAction) {
      const prefix = str(input.Prefix);
      return [
        request(
          bucketAction,
          `arn:${where.partition}:s3:::${bucket}`,
          where,
          prefix ? { 's3:prefix': prefix } : {},
        ),
      ];
    }
    const arn = `arn:${where.partition}:s3:::${bucket}/${str(input.Key) ?? ''}`;
    const versioned = str(input.VersionId) !== undefined;
    const action = (versioned ? S3_VERSIONED[objectAction as string] : undefined) ?? (objectAction as string);
    const mode = str(input.ObjectLockMode);
    const hold = str((input.LegalHold as Input | undefined)?.Status);
    const lock: Record<string, string> = {
      ...(mode ? { 's3:object-lock-mode': mode } : {}),
      ...(hold ? { 's3:object-lock-legal-hold': hold } : {}),
    };
    const requests = [request(action, arn, where, lock)];
    // Object Lock settings on upload are authorised as s3:PutObjectRetention as well.
    if (mode && action === 's3:PutObject') requests.push(request('s3:PutObjectRetention', arn, where, lock));
    return requests;
  };
};

// --- KMS ------------------------------------------------------------------------------------------

const kms =
  (operation: string): Mapper | undefined =>
  (input, _output, where, context) => {
    const keyId = str(input.KeyId) ?? str(input.SourceKeyId) ?? '';
    const arn = context.keyArn?.(keyId, where.account, where.region) ?? keyId;
    const account = arn.split(':')[4] || where.account;
    const action = operation === 'ReEncrypt' ? 'kms:ReEncryptFrom' : `kms:${operation}`;
    return [request(action, arn, where, {}, account)];
  };

// --- STS, Organizations, SNS, Security Hub -------------------------------------------------------

const sts = (operation: string): Mapper | undefined => {
  if (operation === 'GetCallerIdentity')
    return (_input, _output, where) => [request('sts:GetCallerIdentity', '*', where)];
  if (operation !== 'AssumeRole') return undefined;
  return (input, _output, where) => {
    const roleArn = str(input.RoleArn) ?? '';
    // What the role's trust policy tests besides the caller: the external id and the session name.
    const externalId = str(input.ExternalId);
    const sessionName = str(input.RoleSessionName);
    const trusted: Record<string, string> = {
      ...(externalId === undefined ? {} : { 'sts:ExternalId': externalId }),
      ...(sessionName === undefined ? {} : { 'sts:RoleSessionName': sessionName }),
    };
    return [request('sts:AssumeRole', roleArn, where, trusted, roleArn.split(':')[4] ?? where.account)];
  };
};

const organizations =
  (operation: string): Mapper | undefined =>
  (_input, _output, where) => [request(`organizations:${operation}`, '*', where)];

const sns =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => [request(`sns:${operation}`, str(input.TopicArn) ?? '*', where)];

/**
 * Security Hub authorises its v2 (OCSF) calls as the v1 actions: `BatchUpdateFindingsV2` is
 * `securityhub:BatchUpdateFindings` and `GetFindingsV2` is `securityhub:GetFindings` (API reference).
 */
const SECURITYHUB_V2_ACTIONS: Record<string, string> = {
  BatchUpdateFindingsV2: 'BatchUpdateFindings',
  GetFindingsV2: 'GetFindings',
};

const securityhub =
  (operation: string): Mapper | undefined =>
  (_input, _output, where) => {
    const hub = `arn:${where.partition}:securityhub:${where.region}:${where.account}`;
    const v2 = SECURITYHUB_V2_ACTIONS[operation];
    return [
      request(
        `securityhub:${v2 ?? operation}`,
        operation === 'BatchImportFindings'
          ? `${hub}:product/${where.account}/default`
          : // The v2 calls act on the v2 hub, whose id no call carries.
            v2
            ? `${hub}:hubv2/*`
            : `${hub}:hub/default`,
        where,
      ),
    ];
  };

/**
 * GuardDuty: finding calls name the detector they go through; the actions the responder uses
 * (ArchiveFindings, GetFindings, ListDetectors) have no resource type, so `iamRequestsFor` asks for
 * them on `*` whatever this says.
 */
const guardduty =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => {
    const detector = str(input.DetectorId);
    const resource = detector
      ? `arn:${where.partition}:guardduty:${where.region}:${where.account}:detector/${detector}`
      : '*';
    return [request(`guardduty:${operation}`, resource, where)];
  };

// --- IAM ------------------------------------------------------------------------------------------

const iam =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => {
    const base = `arn:${where.partition}:iam::${where.account}`;
    const action = `iam:${operation}`;
    const policyArn = str(input.PolicyArn);
    const extra: Record<string, string | string[]> = policyArn ? { 'iam:PolicyARN': policyArn } : {};
    const tags = tagPairs(input.Tags);
    if (tags.length > 0) Object.assign(extra, requestTagContext(tags));
    const tagKeys = strings(input.TagKeys);
    if (tagKeys.length > 0) extra['aws:TagKeys'] = tagKeys;
    const user = str(input.UserName);
    const role = str(input.RoleName);
    if (user) return [request(action, `${base}:user/${user}`, where, extra)];
    if (role) return [request(action, `${base}:role/${role}`, where, extra)];
    if (operation === 'CreatePolicy') {
      const path = str(input.Path) ?? '/';
      return [request(action, `${base}:policy${path}${str(input.PolicyName) ?? ''}`, where, extra)];
    }
    if (policyArn) return [request(action, policyArn, where, {})];
    const profile = str(input.InstanceProfileName);
    if (profile) return [request(action, `${base}:instance-profile/${profile}`, where)];
    // GetAccessKeyLastUsed names a key, not its user; GetUser without a name is the caller.
    return [request(action, `${base}:user/*`, where, extra)];
  };

// --- EC2 ------------------------------------------------------------------------------------------

/** EC2 operations authorised on the resources named in these input fields, each by its own ARN. */
const EC2_BY_IDS: Record<string, readonly string[]> = {
  ModifyInstanceAttribute: ['InstanceId', 'Groups'],
  ModifyInstanceMetadataOptions: ['InstanceId'],
  ModifyNetworkInterfaceAttribute: ['NetworkInterfaceId', 'Groups'],
  AuthorizeSecurityGroupIngress: ['GroupId'],
  AuthorizeSecurityGroupEgress: ['GroupId'],
  RevokeSecurityGroupIngress: ['GroupId'],
  RevokeSecurityGroupEgress: ['GroupId'],
  CreateNetworkAclEntry: ['NetworkAclId'],
  DeleteNetworkAclEntry: ['NetworkAclId'],
  AttachVolume: ['InstanceId', 'VolumeId'],
  DetachVolume: ['InstanceId', 'VolumeId'],
  DeleteVolume: ['VolumeId'],
  TerminateInstances: ['InstanceIds'],
  StopInstances: ['InstanceIds'],
  GetConsoleOutput: ['InstanceId'],
  CreateSnapshot: ['VolumeId'],
  DeleteSnapshot: ['SnapshotId'],
};

/** Created resources: ids from the call's output, else the type's wildcard. */
function createdArns(type: string, ids: readonly string[], where: Where): string[] {
  const owned = type !== 'snapshot' && type !== 'image';
  const prefix = `arn:${where.partition}:ec2:${where.region}:${owned ? where.account : ''}:${type}/`;
  return ids.length > 0 ? ids.map((id) => `${prefix}${id}`) : [`${prefix}*`];
}

const outputIds = (output: Input, list: string, key: string): string[] =>
  (Array.isArray(output[list]) ? (output[list] as Input[]) : []).flatMap((item) => {
    const id = str(item[key]);
    return id ? [id] : [];
  });

/** `ec2:CreateTags` as AWS authorises tags given at creation (`ec2:CreateAction`). */
function tagOnCreate(
  arns: readonly string[],
  tags: readonly [string, string][],
  createAction: string,
  where: Where,
): IamRequest[] {
  if (tags.length === 0) return [];
  return arns.map((arn) =>
    request('ec2:CreateTags', arn, where, { ...requestTagContext(tags), 'ec2:CreateAction': createAction }),
  );
}

/**
 * The KMS actions EBS needs of the caller to copy or create encrypted snapshots and volumes: EBS calls
 * KMS with the caller's credentials (`kms:ViaService` is EC2 in the call's region), and the grant it
 * creates is for the volume or snapshot it makes (`kms:GrantIsForAWSResource` is true).
 */
function ebsKeyUse(input: Input, where: Where, context: MappingContext): IamRequest[] {
  const keyId = str(input.KmsKeyId);
  if (!keyId) return [];
  const arn = context.keyArn?.(keyId, where.account, where.region) ?? keyId;
  const account = arn.split(':')[4] || where.account;
  const viaEbs = { 'kms:ViaService': `ec2.${where.region}.amazonaws.com` };
  return [
    request('kms:CreateGrant', arn, where, { ...viaEbs, 'kms:GrantIsForAWSResource': 'true' }, account),
    ...[
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:Decrypt',
    ].map((action) => request(action, arn, where, viaEbs, account)),
  ];
}

const ec2 = (operation: string): Mapper | undefined => {
  const fields = EC2_BY_IDS[operation];
  if (fields) {
    return (input, _output, where, context) =>
      fields.flatMap((field) => {
        const value = input[field];
        const ids = typeof value === 'string' ? [value] : strings(value);
        return ids.map((id) => tagged(`ec2:${operation}`, ec2Arn(id, where), where, context));
      });
  }
  if (operation === 'CreateTags' || operation === 'DeleteTags') {
    return (input, _output, where, context) => {
      const tags = tagPairs(input.Tags);
      const extra =
        operation === 'CreateTags'
          ? requestTagContext(tags)
          : { 'aws:TagKeys': [...new Set(tags.map(([key]) => key))] };
      return strings(input.Resources).map((id) =>
        tagged(`ec2:${operation}`, ec2Arn(id, where), where, context, extra),
      );
    };
  }
  if (operation === 'CreateSecurityGroup') {
    return (input, output, where) => {
      const tags = specTags(input, 'security-group');
      const groups = createdArns('security-group', strings([output.GroupId]), where);
      const vpc = str(input.VpcId);
      return [
        ...groups.map((arn) => request('ec2:CreateSecurityGroup', arn, where, requestTagContext(tags))),
        ...(vpc ? [request('ec2:CreateSecurityGroup', ec2Arn(vpc, where), where)] : []),
        ...tagOnCreate(groups, tags, 'CreateSecurityGroup', where),
      ];
    };
  }
  if (operation === 'CreateSnapshots') {
    return (input, output, where, context) => {
      const instance = str((input.InstanceSpecification as Input | undefined)?.InstanceId);
      const tags = specTags(input, 'snapshot');
      const snapshots = createdArns('snapshot', outputIds(output, 'Snapshots', 'SnapshotId'), where);
      return [
        ...(instance ? [tagged('ec2:CreateSnapshots', ec2Arn(instance, where), where, context)] : []),
        request(
          'ec2:CreateSnapshots',
          `arn:${where.partition}:ec2:${where.region}:${where.account}:volume/*`,
          where,
        ),
        ...snapshots.map((arn) => request('ec2:CreateSnapshots', arn, where, requestTagContext(tags))),
        ...tagOnCreate(snapshots, tags, 'CreateSnapshots', where),
      ];
    };
  }
  if (operation === 'CopySnapshot') {
    return (input, output, where, context) => {
      const tags = specTags(input, 'snapshot');
      const source = str(input.SourceSnapshotId);
      const sourceWhere = { ...where, region: str(input.SourceRegion) ?? where.region };
      const copies = createdArns('snapshot', strings([output.SnapshotId]), where);
      return [
        ...(source ? [tagged('ec2:CopySnapshot', ec2Arn(source, sourceWhere), sourceWhere, context)] : []),
        ...copies.map((arn) => request('ec2:CopySnapshot', arn, where, requestTagContext(tags))),
        ...tagOnCreate(copies, tags, 'CopySnapshot', where),
        ...ebsKeyUse(input, where, context),
      ];
    };
  }
  if (operation === 'ModifySnapshotAttribute') {
    return (input, _output, where, context) => {
      const permission = (input.CreateVolumePermission as Input | undefined)?.Add;
      const users = [
        ...strings(input.UserIds),
        ...(Array.isArray(permission) ? (permission as Input[]).flatMap((p) => strings([p.UserId])) : []),
      ];
      const groups = Array.isArray(permission)
        ? (permission as Input[]).flatMap((p) => strings([p.Group]))
        : [];
      const extra: Record<string, string | string[]> = {};
      if (users.length > 0) extra['ec2:Add/userId'] = users;
      if (groups.length > 0) extra['ec2:Add/group'] = groups;
      const snapshot = str(input.SnapshotId) ?? '';
      return [tagged('ec2:ModifySnapshotAttribute', ec2Arn(snapshot, where), where, context, extra)];
    };
  }
  if (operation === 'CreateVolume') {
    return (input, output, where, context) => {
      const tags = specTags(input, 'volume');
      const volumes = createdArns('volume', strings([output.VolumeId]), where);
      const snapshot = str(input.SnapshotId);
      return [
        ...volumes.map((arn) => request('ec2:CreateVolume', arn, where, requestTagContext(tags))),
        ...(snapshot ? [tagged('ec2:CreateVolume', ec2Arn(snapshot, where), where, context)] : []),
        ...tagOnCreate(volumes, tags, 'CreateVolume', where),
        ...ebsKeyUse(input, where, context),
      ];
    };
  }
  if (operation === 'RunInstances') return runInstances;
  if (/^(Describe|Get)/.test(operation)) {
    return (_input, _output, where) => [request(`ec2:${operation}`, '*', where)];
  }
  return undefined;
};

/**
 * RunInstances, as EC2 authorises it: the new instance, volumes and interface (with the tags at
 * creation), the subnet, groups, image and launch template, `ec2:CreateTags` for the tags, and
 * `iam:PassRole` when an instance profile's role is passed (the profile's role is bound by the runner:
 * the call names the profile, not the role).
 */
const runInstances: Mapper = (input, output, where, context) => {
  const instanceTags = specTags(input, 'instance');
  const volumeTags = specTags(input, 'volume');
  const template = input.LaunchTemplate as Input | undefined;
  const templateId = str(template?.LaunchTemplateId);
  const templateArn = templateId ? ec2Arn(templateId, where) : undefined;
  const launchContext: Record<string, string> = templateArn ? { 'ec2:LaunchTemplate': templateArn } : {};
  const instances = createdArns('instance', outputIds(output, 'Instances', 'InstanceId'), where);
  const volumes = createdArns('volume', [], where);
  const interfaces = createdArns('network-interface', [], where);
  const nics = Array.isArray(input.NetworkInterfaces) ? (input.NetworkInterfaces as Input[]) : [];
  const subnets = [str(input.SubnetId), ...nics.map((nic) => str(nic.SubnetId))].filter(
    (id): id is string => id !== undefined,
  );
  const groups = [...strings(input.SecurityGroupIds), ...nics.flatMap((nic) => strings(nic.Groups))];
  const image = str(input.ImageId);
  const run = (arn: string, extra: Record<string, string | string[]> = {}) =>
    request('ec2:RunInstances', arn, where, { ...launchContext, ...extra });
  return [
    ...instances.map((arn) => run(arn, requestTagContext(instanceTags))),
    ...volumes.map((arn) => run(arn, requestTagContext(volumeTags))),
    ...interfaces.map((arn) => run(arn, requestTagContext(instanceTags))),
    ...subnets.map((id) => run(ec2Arn(id, where))),
    ...groups.map((id) => run(ec2Arn(id, where))),
    ...(image ? [run(ec2Arn(image, where))] : []),
    ...(templateArn ? [run(templateArn)] : []),
    ...tagOnCreate(instances, instanceTags, 'RunInstances', where),
    ...tagOnCreate(volumes, volumeTags, 'RunInstances', where),
    ...passedProfileRole(input, where, context),
  ];
};

function passedProfileRole(input: Input, where: Where, context: MappingContext): IamRequest[] {
  const profile = input.IamInstanceProfile as Input | undefined;
  const name = str(profile?.Arn) ?? str(profile?.Name);
  if (!name) return [];
  const role = context.profileRole?.(name);
  if (!role)
    throw new UnmappedCallError(`RunInstances passes instance profile ${name}, whose role is unknown`);
  return [request('iam:PassRole', role, where, { 'iam:PassedToService': 'ec2.amazonaws.com' })];
}

// --- Auto Scaling, ELB, CloudTrail, SSM ----------------------------------------------------------

const autoscaling =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => {
    if (operation.startsWith('Describe')) return [request(`autoscaling:${operation}`, '*', where)];
    const group = str(input.AutoScalingGroupName) ?? '*';
    return [
      request(
        `autoscaling:${operation}`,
        `arn:${where.partition}:autoscaling:${where.region}:${where.account}:autoScalingGroup:*:autoScalingGroupName/${group}`,
        where,
      ),
    ];
  };

const elasticloadbalancingv2 =
  (operation: string): Mapper | undefined =>
  (input, _output, where) => [
    request(`elasticloadbalancing:${operation}`, str(input.TargetGroupArn) ?? '*', where),
  ];

const cloudtrail =
  (operation: string): Mapper | undefined =>
  (input, _output, where, context) => {
    const trailArn = (name: string) =>
      name.startsWith('arn:')
        ? name
        : `arn:${where.partition}:cloudtrail:${where.region}:${where.account}:trail/${name}`;
    const names = [str(input.Name), str(input.ResourceId), ...strings(input.ResourceIdList)].filter(
      (name): name is string => name !== undefined,
    );
    const extra: Record<string, string | string[]> = requestTagContext(tagPairs(input.TagsList));
    if (names.length === 0) return [request(`cloudtrail:${operation}`, '*', where)];
    return names.map((name) => tagged(`cloudtrail:${operation}`, trailArn(name), where, context, extra));
  };

const ssm =
  (operation: string): Mapper | undefined =>
  (input, _output, where, context) => {
    if (operation !== 'SendCommand') return [request(`ssm:${operation}`, '*', where)];
    const document = str(input.DocumentName) ?? '';
    // AWS-owned documents (`AWS-…`) have no account in their ARN, which iam-simulate's ARN validation
    // refuses; they are simulated in the caller's account, and simulate() reads `::document/` in
    // policies as `:*:document/` to match (AWS reserves the `AWS-` prefix, so nothing is widened).
    const documentArn = document.startsWith('arn:')
      ? document
      : `arn:${where.partition}:ssm:${where.region}:${where.account}:document/${document}`;
    return [
      request('ssm:SendCommand', documentArn, where),
      ...strings(input.InstanceIds).map((id) => tagged('ssm:SendCommand', ec2Arn(id, where), where, context)),
    ];
  };

// --- RDS ------------------------------------------------------------------------------------------

/** Where RDS authorises a call: the database, cluster, snapshot or subnet group each input names. */
const RDS_RESOURCES: readonly (readonly [field: string, type: string])[] = [
  ['DBInstanceIdentifier', 'db'],
  ['DBClusterIdentifier', 'cluster'],
  ['DBSnapshotIdentifier', 'snapshot'],
  ['DBClusterSnapshotIdentifier', 'cluster-snapshot'],
  ['DBSubnetGroupName', 'subgrp'],
];

/**
 * RDS: the action on each resource the input names (`ResourceName` is already an ARN). Tags in a
 * create call are authorised as `rds:AddTagsToResource` on the new snapshot too, with the request's
 * tag keys; `TagKeys` of a tag call are `aws:TagKeys`.
 */
const rds =
  (operation: string): Mapper | undefined =>
  (input, _output, where, context) => {
    const arnOf = (type: string, name: string) =>
      `arn:${where.partition}:rds:${where.region}:${where.account}:${type}:${name}`;
    const tags = tagPairs(input.Tags);
    const tagKeys = strings(input.TagKeys);
    const extra: Record<string, string | string[]> = {
      ...requestTagContext(tags),
      ...(tagKeys.length > 0 ? { 'aws:TagKeys': tagKeys } : {}),
    };
    const named = RDS_RESOURCES.flatMap(([field, type]) => {
      const name = str(input[field]);
      return name ? [arnOf(type, name)] : [];
    });
    const resourceName = str(input.ResourceName);
    const arns = resourceName ? [resourceName] : named.length > 0 ? named : ['*'];
    const requests = arns.map((arn) => tagged(`rds:${operation}`, arn, where, context, extra));
    if (operation.startsWith('Create') && tags.length > 0) {
      const created =
        operation === 'CreateDBClusterSnapshot' ? 'DBClusterSnapshotIdentifier' : 'DBSnapshotIdentifier';
      const type = operation === 'CreateDBClusterSnapshot' ? 'cluster-snapshot' : 'snapshot';
      requests.push(request('rds:AddTagsToResource', arnOf(type, str(input[created]) ?? '*'), where, extra));
    }
    return requests;
  };

// --- ECS ------------------------------------------------------------------------------------------

/**
 * ECS: a task call on each task ARN it names (`tasks`, `task`; an id without an ARN is placed in the
 * named cluster), a tag call on its `resourceArn` with `aws:TagKeys` (ECS tags are `{ key, value }`),
 * anything else (DescribeTaskDefinition, which has no resource type) on `*`.
 */
const ecs =
  (operation: string): Mapper | undefined =>
  (input, _output, where, context) => {
    const action = `ecs:${operation}`;
    const cluster = str(input.cluster);
    const clusterName = cluster?.startsWith('arn:') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
    const taskArn = (task: string) =>
      task.startsWith('arn:')
        ? task
        : `arn:${where.partition}:ecs:${where.region}:${where.account}:task/${clusterName ?? 'default'}/${task}`;
    const tasks = [...strings(input.tasks), ...(str(input.task) ? [str(input.task) as string] : [])];
    if (tasks.length > 0) return tasks.map((task) => tagged(action, taskArn(task), where, context));
    const resourceArn = str(input.resourceArn);
    if (resourceArn) {
      const keys = [
        ...strings(input.tagKeys),
        ...(Array.isArray(input.tags) ? (input.tags as Input[]).flatMap((tag) => strings([tag?.key])) : []),
      ];
      return [tagged(action, resourceArn, where, context, keys.length > 0 ? { 'aws:TagKeys': keys } : {})];
    }
    return [request(action, '*', where)];
  };

// --- Lambda ---------------------------------------------------------------------------------------

/**
 * Lambda: a function call on the function's ARN (`FunctionName` as a name, partial or full ARN, with
 * the `Qualifier`; `Resource` for tags, whose keys are `aws:TagKeys`), a mapping call on
 * `event-source-mapping:<UUID>`, and ListEventSourceMappings (no resource-level permission) on `*`.
 */
const LAMBDA_OPERATIONS: ReadonlySet<string> = new Set([
  'GetFunction',
  'GetFunctionConfiguration',
  'GetFunctionConcurrency',
  'PutFunctionConcurrency',
  'DeleteFunctionConcurrency',
  'GetPolicy',
  'ListTags',
  'TagResource',
  'UntagResource',
  'ListEventSourceMappings',
  'GetEventSourceMapping',
  'UpdateEventSourceMapping',
]);

/**
 * Only the calls the services make are mapped (the Lambda family's evidence and containment): any
 * other Lambda call (Invoke, UpdateFunctionCode) is unmapped and fails the proof.
 */
const lambda = (operation: string): Mapper | undefined =>
  !LAMBDA_OPERATIONS.has(operation)
    ? undefined
    : (input, _output, where, context) => {
        const action = `lambda:${operation}`;
        const uuid = str(input.UUID);
        if (uuid) {
          return [
            request(
              action,
              `arn:${where.partition}:lambda:${where.region}:${where.account}:event-source-mapping:${uuid}`,
              where,
            ),
          ];
        }
        const named = str(input.Resource) ?? str(input.FunctionName);
        if (!named || operation === 'ListEventSourceMappings') return [request(action, '*', where)];
        const name = named.startsWith('arn:')
          ? named.split(':').slice(6).join(':')
          : named.replace(/^\d{12}:function:/, '');
        const qualifier = str(input.Qualifier);
        const arn = `arn:${where.partition}:lambda:${where.region}:${where.account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
        const tags =
          input.Tags && typeof input.Tags === 'object' && !Array.isArray(input.Tags)
            ? Object.keys(input.Tags)
            : [];
        const keys = [...tags, ...strings(input.TagKeys)];
        return [tagged(action, arn, where, context, keys.length > 0 ? { 'aws:TagKeys': keys } : {})];
      };

// --- EKS ------------------------------------------------------------------------------------------

const EKS_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeCluster',
  'UpdateClusterConfig',
  'ListNodegroups',
  'DescribeNodegroup',
  'ListFargateProfiles',
  'DescribeFargateProfile',
  'ListPodIdentityAssociations',
  'DescribePodIdentityAssociation',
  'ListTagsForResource',
  'TagResource',
  'UntagResource',
]);

/**
 * EKS: a cluster call on `cluster/<name>` (`name` or `clusterName`), a node-group call on
 * `nodegroup/<cluster>/<name>/*` (the node group's UUID, which no call carries, as `*`), a pod-identity
 * call on `podidentityassociation/<cluster>/<id>`, and a tag call on its `resourceArn` with the keys of
 * its `tags` map or its `tagKeys` as `aws:TagKeys`. Only the calls the services make are mapped.
 */
const eks = (operation: string): Mapper | undefined =>
  !EKS_OPERATIONS.has(operation)
    ? undefined
    : (input, _output, where, context) => {
        const action = `eks:${operation}`;
        const resourceArn = str(input.resourceArn);
        if (resourceArn) {
          const tags =
            input.tags && typeof input.tags === 'object' && !Array.isArray(input.tags)
              ? Object.entries(input.tags as Record<string, unknown>).map(
                  ([key, value]) => [key, str(value) ?? ''] as [string, string],
                )
              : [];
          const keys = strings(input.tagKeys);
          const extra = {
            ...requestTagContext(tags),
            ...(keys.length > 0 ? { 'aws:TagKeys': keys } : {}),
          };
          return [tagged(action, resourceArn, where, context, extra)];
        }
        const cluster = str(input.name) ?? str(input.clusterName);
        if (!cluster) throw new UnmappedCallError(`${action} names no cluster`);
        const base = `arn:${where.partition}:eks:${where.region}:${where.account}`;
        const nodegroup = str(input.nodegroupName);
        const association = str(input.associationId);
        const arn =
          nodegroup && operation === 'DescribeNodegroup'
            ? `${base}:nodegroup/${cluster}/${nodegroup}/*`
            : association
              ? `${base}:podidentityassociation/${cluster}/${association}`
              : `${base}:cluster/${cluster}`;
        return [tagged(action, arn, where, context)];
      };

const MAPPERS: Record<string, (operation: string) => Mapper | undefined> = {
  eks,
  lambda,
  rds,
  ecs,
  sqs,
  dynamodb,
  s3,
  kms,
  sts,
  organizations,
  sns,
  securityhub,
  guardduty,
  iam,
  ec2,
  autoscaling,
  elasticloadbalancingv2,
  cloudtrail,
  ssm,
};
