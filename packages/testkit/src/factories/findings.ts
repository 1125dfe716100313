import { randomUUID } from 'node:crypto';
import type { GuardDutyEventBridgeEvent } from '@ir/contracts';
import {
  bucketNames,
  type FindingOptions,
  type FindingResourceOptions,
  instanceEnis,
  instanceId,
  type Json,
  type Resolved,
  resolve,
} from './finding-options.js';

/** GuardDuty findings as EventBridge delivers them and as the GetFindings API returns them. */

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

export function guardDutyResource(resource: FindingResourceOptions): Json {
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
