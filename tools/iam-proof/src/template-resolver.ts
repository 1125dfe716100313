/** A CloudFormation template as `cdk synth` writes it (only what the proof reads). */
export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  /** Region-keyed look-ups (`Fn::FindInMap`), e.g. the ELB log-delivery account of the Slack ingress. */
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The concrete values intrinsics resolve to: the account and region the stack is deployed in. */
export interface ResolveContext {
  readonly accountId: string;
  readonly region: string;
  /** Parameter values; a parameter without one takes its Default, else resolving fails. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** Raised when a template uses an intrinsic or reference the resolver cannot make concrete. */
export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

/** `us-east-1` → `aws`, `cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`. */
export function partitionFor(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A stable stand-in id for a resource without an explicit name: CloudFormation would generate one at
 * deploy time. Lower-case, derived from the logical id, so every reference to it resolves the same.
 */
function generated(logicalId: string, prefix = ''): string {
  return `${prefix}${logicalId.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 60);
}

/** A 32-hex-digit stand-in key id (KMS key ids are UUIDs; iam-simulate only checks the ARN shape). */
function keyIdFor(logicalId: string): string {
  let hash = 0n;
  for (const char of logicalId) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 2n ** 128n;
  const hex = hash.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What `Ref: AWS::NoValue` resolves to: the property or list item it stands in is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (both forms), `Fn::Select`, `Fn::Split`,
 * `Fn::FindInMap`, `Fn::If` (with the template's conditions and `AWS::NoValue`), pseudo parameters,
 * parameters and resource attributes to concrete strings,
 * the way CloudFormation would for one deployment. Resource names come from their properties
 * (`QueueName`, `TableName`, `BucketName`, `RoleName`…) or, where CloudFormation would generate one, a
 * stable stand-in. Why it matters: iam-simulate needs concrete ARNs, and a wrong resolution would
 * prove the wrong policy.
 */
export function createResolver(template: CfnTemplate, context: ResolveContext) {
  const partition = partitionFor(context.region);
  const { accountId, region } = context;
  const pseudo: Record<string, string> = {
    'AWS::AccountId': accountId,
    'AWS::Region': region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    'AWS::StackName': 'stack',
    'AWS::StackId': `arn:${partition}:cloudformation:${region}:${accountId}:stack/stack/id`,
  };

  const resource = (logicalId: string): CfnResource => {
    const found = template.Resources[logicalId];
    if (!found) throw new UnresolvableError(`no resource or parameter ${logicalId}`);
    return found;
  };
  const prop = (logicalId: string, name: string): string | undefined => {
    const value = resource(logicalId).Properties?.[name];
    return value === undefined ? undefined : asString(resolve(value));
  };
  const arn = (service: string, rest: string, regional = true, account = true) =>
    `arn:${partition}:${service}:${regional ? region : ''}:${account ? accountId : ''}:${rest}`;

  /** What `Ref` of a resource returns, per resource type. */
  const refOf = (logicalId: string): string => {
    const { Type } = resource(logicalId);
    switch (Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.${pseudo['AWS::URLSuffix']}/${accountId}/${queueName(logicalId)}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return prop(logicalId, 'TableName') ?? generated(logicalId);
      case 'AWS::S3::Bucket':
        return prop(logicalId, 'BucketName') ?? generated(logicalId);
      case 'AWS::IAM::Role':
        return prop(logicalId, 'RoleName') ?? generated(logicalId, 'role-');
      case 'AWS::IAM::InstanceProfile':
        return prop(logicalId, 'InstanceProfileName') ?? generated(logicalId, 'profile-');
      case 'AWS::IAM::ManagedPolicy':
        return arn('iam', `policy/${prop(logicalId, 'ManagedPolicyName') ?? generated(logicalId)}`, false);
      case 'AWS::KMS::Key':
        return keyIdFor(logicalId);
      case 'AWS::SNS::Topic':
        return arn('sns', prop(logicalId, 'TopicName') ?? generated(logicalId));
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${prop(logicalId, 'Name') ?? generated(logicalId)}-AbCdEf`);
      case 'AWS::EC2::LaunchTemplate':
        return `lt-${keyIdFor(logicalId).replace(/-/g, '').slice(0, 17)}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${keyIdFor(logicalId).replace(/-/g, '').slice(0, 17)}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${keyIdFor(logicalId).replace(/-/g, '').slice(0, 17)}`;
      case 'AWS::EC2::VPC':
        return `vpc-${keyIdFor(logicalId).replace(/-/g, '').slice(0, 17)}`;
      default:
        return generated(logicalId);
    }
  };

  const queueName = (logicalId: string) => prop(logicalId, 'QueueName') ?? generated(logicalId);

  /** What `Fn::GetAtt` of a resource returns, per type and attribute. */
  const attributeOf = (logicalId: string, attribute: string): string => {
    const { Type } = resource(logicalId);
    const key = `${Type}.${attribute}`;
    switch (key) {
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', queueName(logicalId));
      case 'AWS::SQS::Queue.QueueName':
        return queueName(logicalId);
      case 'AWS::SQS::Queue.QueueUrl':
        return refOf(logicalId);
      case 'AWS::DynamoDB::Table.Arn':
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return arn('dynamodb', `table/${refOf(logicalId)}`);
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${refOf(logicalId)}`;
      case 'AWS::IAM::Role.Arn':
        return arn('iam', `role${rolePath(logicalId)}${refOf(logicalId)}`, false);
      case 'AWS::IAM::Role.RoleId':
        return `AROA${keyIdFor(logicalId).replace(/-/g, '').slice(0, 17).toUpperCase()}`;
      case 'AWS::IAM::InstanceProfile.Arn':
        return arn('iam', `instance-profile/${refOf(logicalId)}`, false);
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${refOf(logicalId)}`);
      case 'AWS::KMS::Key.KeyId':
        return refOf(logicalId);
      case 'AWS::SNS::Topic.TopicArn':
        return refOf(logicalId);
      case 'AWS::SNS::Topic.TopicName':
        return prop(logicalId, 'TopicName') ?? generated(logicalId);
      case 'AWS::EC2::LaunchTemplate.LaunchTemplateId':
        return refOf(logicalId);
      case 'AWS::EC2::SecurityGroup.GroupId':
        return refOf(logicalId);
      case 'AWS::EC2::VPC.VpcId':
        return refOf(logicalId);
      case 'AWS::EC2::Subnet.SubnetId':
        return refOf(logicalId);
      case 'AWS::Events::Rule.Arn':
        // Queue policies admit EventBridge by the rule's ARN (aws:SourceArn), so it must be one.
        return arn('events', `rule/${prop(logicalId, 'Name') ?? generated(logicalId)}`);
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${prop(logicalId, 'LogGroupName') ?? generated(logicalId)}:*`);
      default:
        // Attributes no policy in the proof depends on (endpoints, DNS names…) resolve to a stand-in.
        return `${generated(logicalId)}-${attribute.toLowerCase()}`;
    }
  };

  const rolePath = (logicalId: string) => prop(logicalId, 'Path') ?? '/';

  const ref = (name: string): string => {
    const fromPseudo = pseudo[name];
    if (fromPseudo !== undefined) return fromPseudo;
    const parameter = template.Parameters?.[name];
    if (parameter) {
      const value = context.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new UnresolvableError(`parameter ${name} has no value and no default`);
      return String(value);
    }
    return refOf(name);
  };

  const sub = (text: string, variables: Record<string, unknown>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return asString(resolve(variables[name]));
      const [logicalId, attribute] = name.split('.');
      if (attribute && logicalId) return attributeOf(logicalId, attribute);
      return ref(name);
    });

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [key, argument] = first;
      if (key === 'Ref') return argument === 'AWS::NoValue' ? NO_VALUE : ref(String(argument));
      if (key === 'Fn::GetAtt') {
        const [logicalId, attribute] = Array.isArray(argument)
          ? (argument as string[])
          : String(argument).split(/\.(.*)/);
        if (!logicalId || !attribute)
          throw new UnresolvableError(`bad Fn::GetAtt ${JSON.stringify(argument)}`);
        return attributeOf(logicalId, attribute);
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(asString).join(separator);
      }
      if (key === 'Fn::Sub') {
        if (typeof argument === 'string') return sub(argument, {});
        const [text, variables] = argument as [string, Record<string, unknown>];
        return sub(text, variables ?? {});
      }
      if (key === 'Fn::Select') {
        const [index, list] = argument as [unknown, unknown];
        const items = resolve(list) as unknown[];
        const picked = items[Number(resolve(index))];
        if (picked === undefined) throw new UnresolvableError(`Fn::Select index out of range`);
        return picked;
      }
      if (key === 'Fn::Split') {
        const [separator, text] = argument as [string, unknown];
        return asString(resolve(text)).split(separator);
      }
      if (key === 'Fn::GetAZs') return [`${region}a`, `${region}b`, `${region}c`];
      if (key === 'Fn::FindInMap') {
        const [map, top, second] = (argument as unknown[]).map((part) => asString(resolve(part)));
        const found = template.Mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''];
        if (found === undefined)
          throw new UnresolvableError(`Fn::FindInMap ${map}/${top}/${second} not found`);
        return found;
      }
      if (key === 'Fn::If') {
        const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return resolve(conditionHolds(condition) ? whenTrue : whenFalse);
      }
      if (key.startsWith('Fn::')) throw new UnresolvableError(`unsupported intrinsic ${key}`);
    }
    return Object.fromEntries(
      entries.map(([key, child]) => [key, resolve(child)]).filter(([, child]) => child !== NO_VALUE),
    );
  }

  /** Evaluates a condition of the template (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`). */
  function conditionHolds(name: string): boolean {
    const expression = template.Conditions?.[name];
    if (expression === undefined) throw new UnresolvableError(`no condition ${name}`);
    return evaluate(expression);
  }

  function evaluate(expression: unknown): boolean {
    const [[key, argument] = []] = Object.entries(expression as Record<string, unknown>);
    const operands = argument as unknown[];
    if (key === 'Condition') return conditionHolds(String(argument));
    if (key === 'Fn::Equals') return asString(resolve(operands[0])) === asString(resolve(operands[1]));
    if (key === 'Fn::Not') return !evaluate(operands[0]);
    if (key === 'Fn::And') return operands.every(evaluate);
    if (key === 'Fn::Or') return operands.some(evaluate);
    throw new UnresolvableError(`unsupported condition ${JSON.stringify(expression)}`);
  }

  return { resolve, ref, attributeOf, partition };
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnresolvableError(`expected a string, got ${JSON.stringify(value)}`);
}
