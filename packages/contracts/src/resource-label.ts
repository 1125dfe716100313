import type { Resource } from './resource.js';

/**
 * A resource as a person reads it, e.g. `EC2 instance i-0abc`, `EKS pod payments/web-1 in cluster
 * prod`, `S3 object uploads/invoice.pdf (version 3Lg…) in bucket acme-uploads`. Why in contracts:
 * notifications, the report and irctl all name resources, and should name them the same way.
 */
export function describeResource(resource: Resource): string {
  switch (resource.kind) {
    case 'ec2-instance':
      return `EC2 instance ${resource.instanceId}`;
    case 'iam-access-key': {
      const who = resource.roleName
        ? `role ${resource.roleName}`
        : resource.userName
          ? `user ${resource.userName}`
          : resource.userType;
      return resource.accessKeyId ? `IAM ${who}, access key ${resource.accessKeyId}` : `IAM ${who}`;
    }
    case 's3-bucket':
      return `S3 bucket ${resource.bucketName}`;
    case 's3-object': {
      const version = resource.versionId ? ` (version ${resource.versionId})` : '';
      return `S3 object ${resource.key}${version} in bucket ${resource.bucketName}`;
    }
    case 'ecs-cluster':
      return `ECS cluster ${resource.clusterName}`;
    case 'ecs-task': {
      const task = resource.taskArn.slice(resource.taskArn.lastIndexOf('/') + 1);
      const cluster = resource.clusterName ? ` in cluster ${resource.clusterName}` : '';
      return `ECS task ${task}${cluster}`;
    }
    case 'eks-cluster':
      return `EKS cluster ${resource.clusterName}`;
    case 'eks-workload': {
      const type = resource.workloadType.replace(/s$/, '').toLowerCase();
      return `EKS ${type} ${resource.namespace}/${resource.workloadName} in cluster ${resource.clusterName}`;
    }
    case 'lambda-function':
      return `Lambda function ${resource.functionName}${resource.version ? `:${resource.version}` : ''}`;
    case 'rds-database':
      if (resource.dbInstanceIdentifier) return `RDS instance ${resource.dbInstanceIdentifier}`;
      if (resource.dbClusterIdentifier) return `RDS cluster ${resource.dbClusterIdentifier}`;
      return `RDS shard group ${resource.dbShardGroupIdentifier ?? ''}`;
    case 'container':
      return `container ${resource.name ?? resource.containerId}${resource.host ? ` on ${resource.host.instanceId}` : ''}`;
    case 'other':
      return `${resource.resourceType} ${resource.id}`;
  }
}
