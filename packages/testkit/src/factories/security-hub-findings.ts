import { randomUUID } from 'node:crypto';
import type { SecurityHubImportedEvent, SeverityBand } from '@ir/contracts';
import {
  bucketNames,
  type FindingOptions,
  instanceEnis,
  instanceId,
  type Json,
  type Resolved,
  resolve,
} from './finding-options.js';
import { guardDutyResource } from './findings.js';

/** Security Hub `Findings - Imported` events carrying ASFF findings. */

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
