import { bandFromScore, Finding, type Resource, representativeScore, type SeverityBand } from '@ir/contracts';

/**
 * Normalised findings for planner tests, parsed with the contracts schema so they are exactly what
 * detection hands the coordinator. (The raw-format factories live in @ir/testkit, which this pure
 * package does not depend on.)
 */
export interface TestFindingOptions {
  type: string;
  band?: SeverityBand;
  resources: Resource[];
  remoteIps?: string[];
  direction?: 'inbound' | 'outbound' | 'unknown';
  source?: 'guardduty' | 'securityhub' | 'native';
  id?: string;
}

/** A finding of `type` in `band` (default HIGH) about `resources`. */
export function testFinding(options: TestFindingOptions): Finding {
  const score = representativeScore(options.band ?? 'HIGH');
  return Finding.parse({
    source: options.source ?? 'guardduty',
    id: options.id ?? 'finding-0001',
    type: options.type,
    title: `Test finding ${options.type}`,
    severity: { score, band: bandFromScore(score) },
    accountId: '111122223333',
    region: 'eu-west-1',
    createdAt: '2024-05-02T14:00:00.000Z',
    updatedAt: '2024-05-02T14:00:00.000Z',
    count: 1,
    sample: false,
    resources: options.resources,
    ...(options.remoteIps || options.direction
      ? {
          network: {
            remoteIps: (options.remoteIps ?? []).map((ip) => ({ ip })),
            ...(options.direction ? { direction: options.direction } : {}),
          },
        }
      : {}),
    raw: {},
  });
}

/** An instance with one ENI per subnet given. */
export function instance(instanceId: string, subnets: string[] = ['subnet-0aaa']): Resource {
  return {
    kind: 'ec2-instance',
    instanceId,
    tags: {},
    networkInterfaces: subnets.map((subnetId, i) => ({
      networkInterfaceId: `eni-${instanceId}-${i}`,
      subnetId,
      vpcId: 'vpc-0abc',
      securityGroups: [{ groupId: 'sg-0app' }],
      privateIpv4: [],
      publicIpv4: [],
      ipv6: [],
    })),
  };
}

/** An IAM user with a leaked key. */
export function iamUser(userName = 'alice', accessKeyId: string | null = 'AKIAEXAMPLEALICE'): Resource {
  return { kind: 'iam-access-key', userType: 'IAMUser', userName, ...(accessKeyId ? { accessKeyId } : {}) };
}

/** An assumed role, as GuardDuty reports it (role name in userName and roleName). */
export function assumedRole(roleName = 'app-instance-role'): Resource {
  return {
    kind: 'iam-access-key',
    userType: 'AssumedRole',
    userName: roleName,
    roleName,
    accessKeyId: 'ASIAEXAMPLEROLE',
  };
}

/** The root user. */
export function rootUser(): Resource {
  return {
    kind: 'iam-access-key',
    userType: 'Root',
    accessKeyId: 'AKIAEXAMPLEROOT',
    principalId: '111122223333',
  };
}

/** An S3 bucket. */
export function bucket(bucketName: string): Resource {
  return { kind: 's3-bucket', bucketName, tags: {} };
}

/** Every band, lowest first. */
export const bands: readonly SeverityBand[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** An S3 object version, as a GuardDuty Malware Protection for S3 finding names it. */
export function s3Object(bucketName: string, key: string, versionId = 'v-0001'): Resource {
  return { kind: 's3-object', bucketName, key, versionId, tags: {} };
}
