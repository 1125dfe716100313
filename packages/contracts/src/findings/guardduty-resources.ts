import { z } from 'zod';
import type { Resource } from '../resource.js';
import { defined, noResource, tagsFromList, unique } from './shared.js';

/*
 * The `resource` part of a GuardDuty finding (camelCase) and its normalisation into `Resource`s.
 * Unknown resource types become `other` resources so the finding is still recorded.
 */

const Tag = z.object({ key: z.string(), value: z.string().optional() });

const NetworkInterfaceDetails = z.object({
  networkInterfaceId: z.string().min(1),
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
  privateIpAddress: z.ipv4().optional(),
  privateIpAddresses: z.array(z.object({ privateIpAddress: z.ipv4().optional() })).optional(),
  publicIp: z.ipv4().optional(),
  ipv6Addresses: z.array(z.ipv6()).optional(),
  securityGroups: z
    .array(z.object({ groupId: z.string().min(1), groupName: z.string().optional() }))
    .optional(),
});

const InstanceDetails = z.object({
  instanceId: z.string().min(1),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
  iamInstanceProfile: z.object({ arn: z.string().optional(), id: z.string().optional() }).optional(),
  networkInterfaces: z.array(NetworkInterfaceDetails).optional(),
  tags: z.array(Tag).optional(),
});

const AccessKeyDetails = z.object({
  accessKeyId: z.string().optional(),
  principalId: z.string().optional(),
  userName: z.string().optional(),
  userType: z.string().optional(),
});

const S3BucketDetails = z.object({
  name: z.string().min(1),
  arn: z.string().optional(),
  tags: z.array(Tag).optional(),
});

/** GuardDuty's `resource` object: its type and the details for that type. */
export const GuardDutyResource = z.object({
  resourceType: z.string().min(1),
  instanceDetails: InstanceDetails.optional(),
  accessKeyDetails: AccessKeyDetails.optional(),
  s3BucketDetails: z.array(S3BucketDetails).optional(),
});
/** @see GuardDutyResource */
export type GuardDutyResource = z.infer<typeof GuardDutyResource>;

/**
 * The resources a GuardDuty finding names: one instance, one access key, or every bucket.
 * `name` spells a field path for errors in the input's own casing.
 */
export function resourcesFromGuardDuty(
  resource: GuardDutyResource,
  findingRef: string,
  name: (...path: PropertyKey[]) => string,
): Resource[] {
  switch (resource.resourceType) {
    case 'Instance': {
      const details = resource.instanceDetails;
      if (!details)
        return noResource({
          path: name('resource', 'instanceDetails'),
          message: 'missing for resourceType Instance',
        });
      return [
        {
          kind: 'ec2-instance',
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
            securityGroups: (eni.securityGroups ?? []).map((group) => ({ ...group })),
            privateIpv4: unique([
              eni.privateIpAddress,
              ...(eni.privateIpAddresses ?? []).map((a) => a.privateIpAddress),
            ]),
            publicIpv4: unique([eni.publicIp]),
            ipv6: unique(eni.ipv6Addresses ?? []),
          })),
        },
      ];
    }
    case 'AccessKey': {
      const details = resource.accessKeyDetails;
      if (!details)
        return noResource({
          path: name('resource', 'accessKeyDetails'),
          message: 'missing for resourceType AccessKey',
        });
      const userType = details.userType ?? 'Unknown';
      return [
        {
          kind: 'iam-access-key',
          ...defined({
            accessKeyId: details.accessKeyId,
            principalId: details.principalId,
            // GuardDuty puts the role's name in userName when the principal is an assumed role:
            // it is then a roleName, never a user a worker could look up or contain.
            ...(userType === 'AssumedRole' ? { roleName: details.userName } : { userName: details.userName }),
          }),
          userType,
        },
      ];
    }
    case 'S3Bucket': {
      const buckets = resource.s3BucketDetails ?? [];
      if (buckets.length === 0)
        return noResource({
          path: name('resource', 's3BucketDetails'),
          message: 'no bucket for resourceType S3Bucket',
        });
      return buckets.map((bucket) => ({
        kind: 's3-bucket',
        bucketName: bucket.name,
        ...(bucket.arn ? { arn: bucket.arn } : {}),
        tags: tagsFromList(bucket.tags),
      }));
    }
    default:
      return [{ kind: 'other', resourceType: resource.resourceType, id: findingRef }];
  }
}
