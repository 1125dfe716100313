import { randomUUID } from 'node:crypto';
import type {
  GuardDutyEventBridgeEvent,
  NativeFindingInput,
  SecurityHubImportedEvent,
  SeverityBand,
} from '@ir/contracts';

/**
 * Factories for raw findings in every input format (GuardDuty via EventBridge and via the API,
 * Security Hub imported events, native `ir.finding/v1`), shaped as AWS documents them, so tests
 * across the system start from what production receives. Every option has a realistic default.
 */

/** One ENI of a factory-made instance. */
export interface EniOptions {
  networkInterfaceId?: string;
  vpcId?: string;
  subnetId?: string;
  securityGroups?: { groupId: string; groupName?: string }[];
  privateIp?: string;
  publicIp?: string;
  ipv6?: string[];
}

/** The resource a factory-made finding names. */
export type FindingResourceOptions =
  | { kind: 'instance'; instanceId?: string; enis?: number | EniOptions[] }
  | {
      kind: 'access-key';
      userType?: 'IAMUser' | 'AssumedRole' | 'Root' | 'FederatedUser';
      /** User name, or the role name when `userType` is `AssumedRole` (as GuardDuty reports it). */
      userName?: string;
      accessKeyId?: string;
      principalId?: string;
    }
  | { kind: 's3'; buckets?: number | string[] };

/** Options every finding factory takes. */
export interface FindingOptions {
  accountId?: string;
  region?: string;
  findingId?: string;
  /** GuardDuty finding type; it also picks the default resource and action. */
  type?: string;
  /** 0–10 (GuardDuty scale); Security Hub labels and native findings derive from it. */
  severity?: number;
  resource?: FindingResourceOptions;
  remoteIp?: string;
  count?: number;
  createdAt?: string;
  updatedAt?: string;
  sample?: boolean;
}

/** Finding types tests use most; each picks a different resource or action shape. */
export const findingTypes = {
  c2Dns: 'Backdoor:EC2/C&CActivity.B!DNS',
  credentialExfiltration: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  s3AnonymousAccess: 'Policy:S3/BucketAnonymousAccessGranted',
  bitcoinDns: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
  portProbe: 'Recon:EC2/PortProbeUnprotectedPort',
} as const;

type Json = Record<string, unknown>;

interface Resolved extends Required<Omit<FindingOptions, 'resource'>> {
  resource: FindingResourceOptions;
}

function resolve(options: FindingOptions): Resolved {
  const type = options.type ?? findingTypes.c2Dns;
  const createdAt = options.createdAt ?? '2024-05-02T14:00:00.000Z';
  return {
    accountId: options.accountId ?? '123456789012',
    region: options.region ?? 'us-east-1',
    findingId: options.findingId ?? randomUUID().replaceAll('-', ''),
    type,
    severity: options.severity ?? 8,
    resource: options.resource ?? defaultResource(type),
    remoteIp: options.remoteIp ?? '198.51.100.23',
    count: options.count ?? 1,
    createdAt,
    updatedAt: options.updatedAt ?? createdAt,
    sample: options.sample ?? false,
  };
}

function defaultResource(type: string): FindingResourceOptions {
  if (type.includes(':S3/')) return { kind: 's3' };
  if (type.includes(':IAMUser/')) {
    return type.includes('InstanceCredentialExfiltration')
      ? { kind: 'access-key', userType: 'AssumedRole', userName: 'app-instance-role' }
      : { kind: 'access-key' };
  }
  return { kind: 'instance' };
}

/** The ENIs of an instance resource, with distinct ids, subnets and groups. */
export function instanceEnis(enis: number | EniOptions[] = 1): Required<EniOptions>[] {
  const list = typeof enis === 'number' ? Array.from({ length: enis }, () => ({})) : enis;
  return list.map((eni: EniOptions, i) => ({
    networkInterfaceId: eni.networkInterfaceId ?? `eni-0${String(i + 1).padStart(16, '0')}`,
    vpcId: eni.vpcId ?? 'vpc-0123456789abcdef0',
    subnetId: eni.subnetId ?? `subnet-0${String(i + 1).padStart(16, 'a')}`,
    securityGroups: eni.securityGroups ?? [
      { groupId: `sg-0${String(i + 1).padStart(16, '0')}`, groupName: `app-${i + 1}` },
    ],
    privateIp: eni.privateIp ?? `10.0.${i + 1}.25`,
    publicIp: eni.publicIp ?? (i === 0 ? '54.170.1.2' : ''),
    ipv6: eni.ipv6 ?? [],
  }));
}

function bucketNames(buckets: number | string[] = 1): string[] {
  return typeof buckets === 'number'
    ? Array.from({ length: buckets }, (_, i) => `acme-bucket-${i + 1}`)
    : buckets;
}

function instanceId(resource: FindingResourceOptions): string {
  return resource.kind === 'instance'
    ? (resource.instanceId ?? 'i-0a1b2c3d4e5f67890')
    : 'i-0a1b2c3d4e5f67890';
}

/** The camelCase GuardDuty finding (EventBridge `detail`); the API shape is derived from it. */
function guardDutyDetail(o: Resolved): Json {
  return {
    schemaVersion: '2.0',
    accountId: o.accountId,
    region: o.region,
    partition: 'aws',
    id: o.findingId,
    arn: `arn:aws:guardduty:${o.region}:${o.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${o.findingId}`,
    type: o.type,
    resource: guardDutyResource(o.resource),
    service: {
      serviceName: 'guardduty',
      detectorId: '12abc34d567e8fa901bc2d34e56789f0',
      action: guardDutyAction(o),
      resourceRole: 'TARGET',
      additionalInfo: o.sample ? { sample: true } : { threatListName: 'ProofPoint' },
      eventFirstSeen: o.createdAt,
      eventLastSeen: o.updatedAt,
      archived: false,
      count: o.count,
    },
    severity: o.severity,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    title: `${o.type} finding`,
    description: `Generated ${o.type} finding for tests.`,
  };
}

function guardDutyResource(resource: FindingResourceOptions): Json {
  switch (resource.kind) {
    case 'instance':
      return {
        resourceType: 'Instance',
        instanceDetails: {
          instanceId: instanceId(resource),
          instanceType: 'm5.large',
          imageId: 'ami-0c1bea58988a98915',
          iamInstanceProfile: {
            arn: 'arn:aws:iam::123456789012:instance-profile/app',
            id: 'AIPAEXAMPLEPROFILE',
          },
          networkInterfaces: instanceEnis(resource.enis).map((eni) => ({
            networkInterfaceId: eni.networkInterfaceId,
            vpcId: eni.vpcId,
            subnetId: eni.subnetId,
            privateIpAddress: eni.privateIp,
            privateIpAddresses: [{ privateIpAddress: eni.privateIp }],
            ...(eni.publicIp ? { publicIp: eni.publicIp } : {}),
            ipv6Addresses: eni.ipv6,
            securityGroups: eni.securityGroups,
          })),
          tags: [{ key: 'Name', value: 'app-01' }],
        },
      };
    case 'access-key': {
      const userType = resource.userType ?? 'IAMUser';
      return {
        resourceType: 'AccessKey',
        accessKeyDetails: {
          accessKeyId:
            resource.accessKeyId ??
            (userType === 'AssumedRole' ? 'ASIAEXAMPLEKEY000001' : 'AKIAEXAMPLEKEY000001'),
          principalId:
            resource.principalId ??
            (userType === 'AssumedRole' ? 'AROAEXAMPLEROLE:i-0a1b2c3d' : 'AIDAEXAMPLEUSER'),
          userName: resource.userName ?? 'ci-deployer',
          userType,
        },
      };
    }
    case 's3':
      return {
        resourceType: 'S3Bucket',
        s3BucketDetails: bucketNames(resource.buckets).map((name) => ({
          name,
          arn: `arn:aws:s3:::${name}`,
          type: 'Destination',
          tags: [{ key: 'team', value: 'data' }],
        })),
      };
  }
}

function guardDutyAction(o: Resolved): Json {
  const remoteIpDetails = {
    ipAddressV4: o.remoteIp,
    country: { countryName: 'Netherlands' },
    organization: { org: 'Example Hosting' },
  };
  if (o.type.endsWith('!DNS')) {
    return {
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'c2.example-bad-domain.net', protocol: 'UDP' },
    };
  }
  if (o.type.startsWith('Recon:EC2/PortProbe')) {
    return {
      actionType: 'PORT_PROBE',
      portProbeAction: { portProbeDetails: [{ localPortDetails: { port: 22 }, remoteIpDetails }] },
    };
  }
  if (o.resource.kind !== 'instance') {
    return {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: { api: 'ListBuckets', serviceName: 's3.amazonaws.com', remoteIpDetails },
    };
  }
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: 'OUTBOUND',
      protocol: 'TCP',
      remoteIpDetails,
      remotePortDetails: { port: 443 },
      localPortDetails: { port: 49152 },
    },
  };
}

/** A GuardDuty finding as EventBridge delivers it (`detail-type: GuardDuty Finding`). */
export function guardDutyEventBridgeFinding(options: FindingOptions = {}): GuardDutyEventBridgeEvent {
  const o = resolve(options);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: o.accountId,
    region: o.region,
    time: o.updatedAt,
    detail: guardDutyDetail(o),
  };
}

/**
 * A GuardDuty finding as GetFindings returns it: PascalCase, `Service.AdditionalInfo` as
 * `{ Value: "<json>", Type: "default" }`. Wrap several in `{ Findings: [...] }` for a response.
 */
export function guardDutyApiFinding(options: FindingOptions = {}): Json {
  const detail = guardDutyDetail(resolve(options));
  const service = detail.service as Json;
  const api = pascalKeys({ ...detail, service: { ...service, additionalInfo: undefined } }) as Json;
  (api.Service as Json).AdditionalInfo = { Value: JSON.stringify(service.additionalInfo), Type: 'default' };
  return api;
}

function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .map(([key, inner]) => [key.charAt(0).toUpperCase() + key.slice(1), pascalKeys(inner)]),
  );
}

/** Options for a Security Hub event: `findings` is how many, or per-finding options. */
export interface SecurityHubEventOptions extends FindingOptions {
  findings?: number | FindingOptions[];
}

/** A `Security Hub Findings - Imported` event holding one or more ASFF findings. */
export function securityHubImportedEvent(
  options: SecurityHubEventOptions = {},
): SecurityHubImportedEvent & Json {
  const { findings = 1, ...common } = options;
  const each = typeof findings === 'number' ? Array.from({ length: findings }, () => ({})) : findings;
  const region = common.region ?? 'us-east-1';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: common.accountId ?? '123456789012',
    time: common.updatedAt ?? '2024-05-02T14:00:00.000Z',
    region,
    resources: [],
    detail: { findings: each.map((own) => asffFinding(resolve({ ...common, ...own }))) },
  };
}

function asffFinding(o: Resolved): Json {
  const detector = `arn:aws:guardduty:${o.region}:${o.accountId}:detector/12abc34d567e8fa901bc2d34e56789f0`;
  return {
    SchemaVersion: '2018-10-08',
    Id: `${detector}/finding/${o.findingId}`,
    ProductArn: `arn:aws:securityhub:${o.region}::product/aws/guardduty`,
    GeneratorId: detector,
    AwsAccountId: o.accountId,
    Region: o.region,
    Types: [`TTPs/${o.type.replace('/', '-')}`],
    CreatedAt: o.createdAt,
    UpdatedAt: o.updatedAt,
    Severity: { Product: o.severity, Label: label(o.severity), Normalized: Math.round(o.severity * 10) },
    Title: `${o.type} finding`,
    Description: `Generated ${o.type} finding for tests.`,
    ProductFields: {
      'aws/guardduty/service/count': String(o.count),
      ...(o.sample ? { 'aws/guardduty/service/additionalInfo/sample': 'true' } : {}),
    },
    Resources: asffResources(o),
    Network: {
      Direction: 'IN',
      Protocol: 'TCP',
      SourceIpV4: o.remoteIp,
      SourcePort: 51522,
      DestinationPort: 22,
    },
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
  };
}

function asffResources(o: Resolved): Json[] {
  const base = { Partition: 'aws', Region: o.region };
  const resource = o.resource;
  switch (resource.kind) {
    case 'instance': {
      const enis = instanceEnis(resource.enis);
      return [
        {
          ...base,
          Type: 'AwsEc2Instance',
          Id: `arn:aws:ec2:${o.region}:${o.accountId}:instance/${instanceId(resource)}`,
          Tags: { Name: 'app-01' },
          Details: {
            AwsEc2Instance: {
              Type: 'm5.large',
              ImageId: 'ami-0c1bea58988a98915',
              IpV4Addresses: enis.flatMap((eni) => [eni.privateIp, eni.publicIp].filter(Boolean)),
              IpV6Addresses: enis.flatMap((eni) => eni.ipv6),
              VpcId: enis[0]?.vpcId,
              SubnetId: enis[0]?.subnetId,
              NetworkInterfaces: enis.map((eni) => ({ NetworkInterfaceId: eni.networkInterfaceId })),
            },
          },
        },
      ];
    }
    case 'access-key': {
      const key = (guardDutyResource(resource).accessKeyDetails ?? {}) as Json;
      return [
        {
          ...base,
          Type: 'AwsIamAccessKey',
          Id: `AWS::IAM::AccessKey:${String(key.accessKeyId)}`,
          Details: {
            AwsIamAccessKey: {
              PrincipalId: key.principalId,
              PrincipalType: key.userType,
              PrincipalName: key.userName,
            },
          },
        },
      ];
    }
    case 's3':
      return bucketNames(resource.buckets).map((name) => ({
        ...base,
        Type: 'AwsS3Bucket',
        Id: `arn:aws:s3:::${name}`,
      }));
  }
}

function label(score: number): SeverityBand {
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
}

/** A native `ir.finding/v1` finding, as a custom detector or `irctl submit` would send it. */
export function nativeFinding(options: FindingOptions = {}): NativeFindingInput {
  const o = resolve(options);
  return {
    format: 'ir.finding/v1',
    id: o.findingId,
    type: o.type,
    title: `${o.type} finding`,
    severity: o.severity,
    accountId: o.accountId,
    region: o.region,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    count: o.count,
    sample: o.sample,
    resources: nativeResources(o.resource),
    network: { remoteIps: [{ ip: o.remoteIp }], direction: 'inbound' },
  };
}

function nativeResources(resource: FindingResourceOptions): NativeFindingInput['resources'] {
  switch (resource.kind) {
    case 'instance':
      return [
        {
          kind: 'ec2-instance',
          instanceId: instanceId(resource),
          networkInterfaces: instanceEnis(resource.enis).map((eni) => ({
            networkInterfaceId: eni.networkInterfaceId,
            vpcId: eni.vpcId,
            subnetId: eni.subnetId,
            securityGroups: eni.securityGroups,
            privateIpv4: [eni.privateIp],
            publicIpv4: eni.publicIp ? [eni.publicIp] : [],
            ipv6: eni.ipv6,
          })),
        },
      ];
    case 'access-key': {
      const key = (guardDutyResource(resource).accessKeyDetails ?? {}) as Record<string, string>;
      const userType = key.userType ?? 'IAMUser';
      return [
        {
          kind: 'iam-access-key',
          ...(key.accessKeyId ? { accessKeyId: key.accessKeyId } : {}),
          ...(key.principalId ? { principalId: key.principalId } : {}),
          ...(key.userName ? { userName: key.userName } : {}),
          userType,
          ...(userType === 'AssumedRole' && key.userName ? { roleName: key.userName } : {}),
        },
      ];
    }
    case 's3':
      return bucketNames(resource.buckets).map((name) => ({
        kind: 's3-bucket',
        bucketName: name,
        arn: `arn:aws:s3:::${name}`,
      }));
  }
}
