import type { Resource } from '../resource.js';
import { unqualifiedFunctionArn } from '../resource.js';
import type { ContainerInfo } from '../resource-parts.js';
import { hostInstance } from './guardduty-instance.js';
import type {
  ContainerDetails,
  GuardDutyResource,
  LambdaDetails,
  S3BucketDetail,
} from './guardduty-schemas.js';
import { defined, tagsFromList } from './shared.js';

/*
 * Normalisers for GuardDuty's newer resource types: ECS, EKS, stand-alone containers, Lambda, RDS
 * and S3 objects. Each returns `undefined` when the details that name the resource are missing;
 * the caller then keeps the finding with an `other` resource.
 */

/** The part of an ARN after its last `/` (`...:cluster/prod` → `prod`). */
export function arnTail(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** A GuardDuty `Container` as a `ContainerInfo`. */
export function containerInfo(details: ContainerDetails): ContainerInfo {
  return defined({
    containerId: details.id,
    name: details.name,
    image: details.image,
    runtime: details.containerRuntime,
    privileged: details.securityContext?.privileged,
  });
}

/**
 * `ECSCluster`: the task when `taskDetails` names one (with its containers, plus `containerDetails`
 * when that container is not already listed, and the EC2 host when `instanceDetails` is given),
 * else the cluster.
 */
export function ecsResource(resource: GuardDutyResource): Resource | undefined {
  const cluster = resource.ecsClusterDetails;
  if (!cluster) return undefined;
  const clusterName = cluster.name ?? (cluster.arn ? arnTail(cluster.arn) : undefined);
  const clusterTags = tagsFromList(cluster.tags);
  const task = cluster.taskDetails;
  if (task?.arn) {
    const containers = withContainer(
      (task.containers ?? []).map(containerInfo),
      resource.containerDetails ? containerInfo(resource.containerDetails) : undefined,
    );
    return {
      kind: 'ecs-task',
      taskArn: task.arn,
      ...defined({
        clusterName,
        clusterArn: cluster.arn,
        taskDefinitionArn: task.definitionArn,
        taskDefinitionVersion: task.version,
        launchType: task.launchType,
        startedBy: task.startedBy,
        group: task.group,
        host: resource.instanceDetails ? hostInstance(resource.instanceDetails) : undefined,
      }),
      containers,
      networkInterfaces: [],
      tags: { ...clusterTags, ...tagsFromList(task.tags) },
    };
  }
  if (!clusterName) return undefined;
  return {
    kind: 'ecs-cluster',
    clusterName,
    ...defined({ clusterArn: cluster.arn, status: cluster.status }),
    tags: clusterTags,
  };
}

/**
 * `containers` with `extra` (GuardDuty's `containerDetails`, the container the activity ran in)
 * merged into the container it describes (same id, else same name), or added when none matches.
 * Why merge: the task lists its containers by name only; `containerDetails` adds the runtime id.
 */
function withContainer(containers: ContainerInfo[], extra: ContainerInfo | undefined): ContainerInfo[] {
  if (!extra) return containers;
  const index = containers.findIndex((c) =>
    c.containerId !== undefined && extra.containerId !== undefined
      ? c.containerId === extra.containerId
      : c.name !== undefined && c.name === extra.name,
  );
  if (index < 0) return [...containers, extra];
  return containers.map((c, i) =>
    i === index ? { ...extra, ...c, ...defined({ containerId: c.containerId ?? extra.containerId }) } : c,
  );
}

/**
 * `EKSCluster`: the workload when `kubernetesWorkloadDetails` names one (with the node from
 * `instanceDetails` and the containers of the workload, or `containerDetails`), else the cluster.
 */
export function eksResource(resource: GuardDutyResource): Resource | undefined {
  const cluster = resource.eksClusterDetails;
  if (!cluster) return undefined;
  const clusterName = cluster.name ?? (cluster.arn ? arnTail(cluster.arn) : undefined);
  if (!clusterName) return undefined;
  const node = resource.instanceDetails ? hostInstance(resource.instanceDetails) : undefined;
  const common = {
    clusterName,
    ...defined({ clusterArn: cluster.arn }),
    tags: tagsFromList(cluster.tags),
  };
  const workload = resource.kubernetesDetails?.kubernetesWorkloadDetails;
  if (workload?.name && workload.namespace) {
    const containers = withContainer(
      (workload.containers ?? []).map(containerInfo),
      resource.containerDetails ? containerInfo(resource.containerDetails) : undefined,
    );
    return {
      kind: 'eks-workload',
      ...common,
      namespace: workload.namespace,
      workloadName: workload.name,
      workloadType: (workload.type ?? 'pods').toLowerCase(),
      ...defined({
        uid: workload.uid,
        serviceAccountName: workload.serviceAccountName,
        hostNetwork: workload.hostNetwork,
        node,
      }),
      containers,
      labels: {},
    };
  }
  return {
    kind: 'eks-cluster',
    ...common,
    ...defined({ vpcId: cluster.vpcId, status: cluster.status, node }),
  };
}

/** `Container` (Runtime Monitoring of a Docker container on an EC2 host). */
export function containerResource(resource: GuardDutyResource): Resource | undefined {
  const details = resource.containerDetails;
  if (!details?.id) return undefined;
  const { containerId: _id, ...info } = containerInfo(details);
  return {
    kind: 'container',
    containerId: details.id,
    ...info,
    ...defined({ host: resource.instanceDetails ? hostInstance(resource.instanceDetails) : undefined }),
    tags: {},
  };
}

/** `Lambda`: the function, keyed by its ARN without the version GuardDuty may append. */
export function lambdaResource(details: LambdaDetails | undefined): Resource | undefined {
  if (!details) return undefined;
  const arn = details.functionArn ? unqualifiedFunctionArn(details.functionArn) : undefined;
  const functionName = details.functionName ?? (arn ? arn.slice(arn.lastIndexOf(':') + 1) : undefined);
  if (!functionName) return undefined;
  const vpc = details.vpcConfig;
  return {
    kind: 'lambda-function',
    functionName,
    ...defined({
      functionArn: arn,
      version: details.functionVersion ?? qualifierOf(details.functionArn),
      roleArn: details.role,
      revisionId: details.revisionId,
    }),
    ...(vpc
      ? {
          vpcConfig: {
            ...defined({ vpcId: vpc.vpcId }),
            subnetIds: vpc.subnetIds ?? [],
            securityGroups: (vpc.securityGroups ?? []).map((group) => ({
              groupId: group.groupId,
              ...defined({ groupName: group.groupName }),
            })),
          },
        }
      : {}),
    tags: tagsFromList(details.tags),
  };
}

function qualifierOf(arn: string | undefined): string | undefined {
  const parts = arn?.split(':') ?? [];
  return parts.length > 7 ? parts[7] : undefined;
}

/**
 * `RDSDBInstance` (`rdsDbInstanceDetails`) or `RDSLimitlessDB` (`rdsLimitlessDbDetails`), with the
 * login from `rdsDbUserDetails`.
 */
export function rdsResource(resource: GuardDutyResource): Resource | undefined {
  const instance = resource.rdsDbInstanceDetails;
  const limitless = resource.rdsLimitlessDbDetails;
  const user = resource.rdsDbUserDetails;
  const dbUser = user?.user
    ? {
        dbUser: {
          user: user.user,
          ...defined({
            application: user.application,
            database: user.database,
            ssl: user.ssl,
            authMethod: user.authMethod,
          }),
        },
      }
    : {};
  if (instance && (instance.dbInstanceIdentifier || instance.dbClusterIdentifier)) {
    return {
      kind: 'rds-database',
      ...defined({
        dbInstanceIdentifier: instance.dbInstanceIdentifier,
        dbInstanceArn: instance.dbInstanceArn,
        dbiResourceId: instance.dbiResourceId,
        dbClusterIdentifier: instance.dbClusterIdentifier,
        engine: instance.engine,
        engineVersion: instance.engineVersion,
      }),
      ...dbUser,
      tags: tagsFromList(instance.tags),
    };
  }
  if (limitless && (limitless.dbShardGroupIdentifier || limitless.dbClusterIdentifier)) {
    return {
      kind: 'rds-database',
      ...defined({
        dbClusterIdentifier: limitless.dbClusterIdentifier,
        dbShardGroupIdentifier: limitless.dbShardGroupIdentifier,
        dbShardGroupArn: limitless.dbShardGroupArn,
        engine: limitless.engine,
        engineVersion: limitless.engineVersion,
      }),
      ...dbUser,
      tags: tagsFromList(limitless.tags),
    };
  }
  return undefined;
}

/** `S3Object`: every object of every bucket (`s3BucketDetails[].s3ObjectDetails[]`) that has a key. */
export function s3ObjectResources(buckets: readonly S3BucketDetail[]): Resource[] {
  return buckets.flatMap((bucket) =>
    (bucket.s3ObjectDetails ?? []).flatMap((object): Resource[] =>
      object.key
        ? [
            {
              kind: 's3-object',
              bucketName: bucket.name,
              key: object.key,
              ...defined({
                versionId: object.versionId,
                eTag: object.eTag,
                hash: object.hash,
                objectArn: object.objectArn,
                bucketArn: bucket.arn,
              }),
              tags: tagsFromList(bucket.tags),
            },
          ]
        : [],
    ),
  );
}
