import type { Resource } from '../resource.js';
import {
  containerResource,
  ecsResource,
  eksResource,
  lambdaResource,
  rdsResource,
  s3ObjectResources,
} from './guardduty-workloads.js';
import { hostInstance } from './guardduty-instance.js';
import type { GuardDutyResource } from './guardduty-schemas.js';
import { defined, noResource, tagsFromList } from './shared.js';

export { GuardDutyResource } from './guardduty-schemas.js';

/*
 * Normalises GuardDuty's `resource` into `Resource`s, one `resourceType` at a time. A type with no
 * kind of its own (or whose details are missing, for the newer types) becomes an `other` resource
 * named by the finding, so the finding is still recorded and a person told: nothing is dropped.
 */

/**
 * The resources a GuardDuty finding names: one instance, one access key, every bucket, every
 * object, the ECS task or cluster, the EKS workload or cluster, the Lambda function, the RDS
 * database, the container. `name` spells a field path for errors in the input's own casing.
 */
export function resourcesFromGuardDuty(
  resource: GuardDutyResource,
  findingRef: string,
  name: (...path: PropertyKey[]) => string,
): Resource[] {
  const other = (): Resource[] => [{ kind: 'other', resourceType: resource.resourceType, id: findingRef }];
  switch (resource.resourceType) {
    case 'Instance': {
      const details = resource.instanceDetails;
      if (!details)
        return noResource({
          path: name('resource', 'instanceDetails'),
          message: 'missing for resourceType Instance',
        });
      return [{ kind: 'ec2-instance', ...hostInstance(details) }];
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
    case 'S3Object': {
      const objects = s3ObjectResources(resource.s3BucketDetails ?? []);
      return objects.length > 0 ? objects : other();
    }
    case 'EKSCluster':
      return orOther(eksResource(resource), other);
    case 'ECSCluster':
      return orOther(ecsResource(resource), other);
    case 'Container':
      return orOther(containerResource(resource), other);
    case 'Lambda':
      return orOther(lambdaResource(resource.lambdaDetails), other);
    case 'RDSDBInstance':
    case 'RDSLimitlessDB':
      return orOther(rdsResource(resource), other);
    default:
      return other();
  }
}

function orOther(resource: Resource | undefined, other: () => Resource[]): Resource[] {
  return resource ? [resource] : other();
}
