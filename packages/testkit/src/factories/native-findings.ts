import type { NativeFindingInput } from '@ir/contracts';
import {
  bucketNames,
  type FindingOptions,
  type FindingResourceOptions,
  instanceEnis,
  instanceId,
  resolve,
} from './finding-options.js';
import { guardDutyResource } from './findings.js';

/** Findings in our native `ir.finding/v1` format, as custom detectors and irctl send them. */

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
