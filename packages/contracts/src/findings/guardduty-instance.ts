import type { HostInstance } from '../resource-parts.js';
import type { InstanceDetails } from './guardduty-schemas.js';
import { defined, tagsFromList, unique } from './shared.js';

/** An `instanceDetails` as an instance (the `ec2-instance` resource, or the host of a workload). */
export function hostInstance(details: InstanceDetails): HostInstance {
  return {
    instanceId: details.instanceId,
    ...defined({
      instanceType: details.instanceType,
      imageId: details.imageId,
      iamInstanceProfileArn: details.iamInstanceProfile?.arn,
    }),
    tags: tagsFromList(details.tags),
    networkInterfaces: (details.networkInterfaces ?? []).map((eni) => ({
      networkInterfaceId: eni.networkInterfaceId,
      ...defined({ vpcId: eni.vpcId, subnetId: eni.subnetId }),
      securityGroups: (eni.securityGroups ?? []).map((group) => ({
        groupId: group.groupId,
        ...defined({ groupName: group.groupName }),
      })),
      privateIpv4: unique([
        eni.privateIpAddress,
        ...(eni.privateIpAddresses ?? []).map((a) => a.privateIpAddress),
      ]),
      publicIpv4: unique([eni.publicIp]),
      ipv6: unique(eni.ipv6Addresses ?? []),
    })),
  };
}
