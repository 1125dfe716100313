import { randomUUID } from 'node:crypto';

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

export type Json = Record<string, unknown>;

export interface Resolved extends Required<Omit<FindingOptions, 'resource'>> {
  resource: FindingResourceOptions;
}

export function resolve(options: FindingOptions): Resolved {
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

export function defaultResource(type: string): FindingResourceOptions {
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

export function bucketNames(buckets: number | string[] = 1): string[] {
  return typeof buckets === 'number'
    ? Array.from({ length: buckets }, (_, i) => `acme-bucket-${i + 1}`)
    : buckets;
}

export function instanceId(resource: FindingResourceOptions): string {
  return resource.kind === 'instance'
    ? (resource.instanceId ?? 'i-0a1b2c3d4e5f67890')
    : 'i-0a1b2c3d4e5f67890';
}

/** The camelCase GuardDuty finding (EventBridge `detail`); the API shape is derived from it. */
