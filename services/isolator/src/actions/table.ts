import { containActions, rollbackActions } from '@ir/contracts';
import { lazyHandler, type StepActionTable } from '@ir/runtime';
import type { ActionDeps } from './action-deps.js';
import { whenKubernetesReachable } from './eks/kube/unavailable.js';
import { withProtectionGate } from './protection/gated-table.js';

/** Every message type the isolator accepts on its queue: each containment and each rollback. */
export const isolatorMessageTypes = [...containActions, ...rollbackActions] as const;
/** One of them. */
export type IsolatorMessageType = (typeof isolatorMessageTypes)[number];

/**
 * The isolator's action table, one handler per message type. Typed by the mapped
 * `StepActionTable`, so a type added to `containActions` or `rollbackActions` without a handler here
 * fails to compile. Each handler's module, and the SDK client packages it uses, is imported on the
 * handler's first call ({@link lazyHandler}), so an EC2 incident never loads RDS, EKS or Kubernetes.
 * Every containment but `contain.tag-incident` runs behind the protected-resource gate
 * (protection/gate.ts): the live tags of what it would change are read first, and a protected
 * resource holds the step unless the command was approved for it (TRAPS 22).
 */
export function createActions(deps: ActionDeps): StepActionTable<IsolatorMessageType> {
  return withProtectionGate(deps, {
    'contain.ec2-instance': lazyHandler(async () =>
      (await import('./ec2/contain-instance.js')).containEc2Instance(deps),
    ),
    'contain.iam-user': lazyHandler(async () => (await import('./iam/iam-user.js')).containIamUser()),
    'contain.access-key': lazyHandler(async () => (await import('./iam/access-key.js')).containAccessKey()),
    'contain.role-sessions': lazyHandler(async () =>
      (await import('./iam/role-sessions.js')).containRoleSessions(deps),
    ),
    'contain.s3-bucket': lazyHandler(async () => (await import('./s3/bucket.js')).containS3Bucket(deps)),
    'contain.block-ip': lazyHandler(async () => (await import('./network/block-ip.js')).containBlockIp(deps)),
    'contain.remove-login-profile': lazyHandler(async () =>
      (await import('./iam/login-profile.js')).containRemoveLoginProfile(),
    ),
    'contain.cloudtrail-logging': lazyHandler(async () =>
      (await import('./remediation/cloudtrail-logging.js')).containCloudTrailLogging(deps),
    ),
    'contain.security-group-ingress': lazyHandler(async () =>
      (await import('./remediation/security-group-ingress.js')).containSecurityGroupIngress(deps),
    ),
    'contain.ec2-metadata': lazyHandler(async () => (await import('./ec2/metadata.js')).containEc2Metadata()),
    'contain.ecs-task': lazyHandler(async () => (await import('./ecs/contain-task.js')).containEcsTask(deps)),
    'contain.ecs-task-stop': lazyHandler(async () =>
      (await import('./ecs/stop-task.js')).containEcsTaskStop(),
    ),
    'contain.eks-endpoint-access': lazyHandler(async () =>
      (await import('./eks/endpoint-access.js')).containEksEndpointAccess(deps),
    ),
    'contain.eks-pod-network': whenKubernetesReachable(
      deps,
      'contain.eks-pod-network',
      lazyHandler(async () => (await import('./eks/pod-network.js')).containEksPodNetwork(deps)),
    ),
    'contain.eks-node-cordon': whenKubernetesReachable(
      deps,
      'contain.eks-node-cordon',
      lazyHandler(async () => (await import('./eks/node-cordon.js')).containEksNodeCordon()),
    ),
    'contain.eks-workload-role': lazyHandler(async () =>
      (await import('./eks/workload-role.js')).containEksWorkloadRole(deps),
    ),
    'contain.s3-object': lazyHandler(async () => (await import('./s3/object.js')).containS3Object(deps)),
    'contain.s3-object-delete': lazyHandler(async () =>
      (await import('./s3/object-delete.js')).containS3ObjectDelete(deps),
    ),
    'contain.lambda-function': lazyHandler(async () =>
      (await import('./lambda/function.js')).containLambdaFunction(),
    ),
    'contain.rds-database': lazyHandler(async () =>
      (await import('./rds/isolate.js')).containRdsDatabase(deps),
    ),
    'contain.rds-public-access': lazyHandler(async () =>
      (await import('./rds/public-access.js')).containRdsPublicAccess(),
    ),
    'contain.tag-incident': lazyHandler(async () =>
      (await import('./tagging/tag-incident.js')).containTagIncident(),
    ),
    'rollback.ec2-instance': lazyHandler(async () =>
      (await import('./ec2/rollback-instance.js')).rollbackEc2Instance(),
    ),
    'rollback.iam-user': lazyHandler(async () => (await import('./iam/iam-user.js')).rollbackIamUser()),
    'rollback.access-key': lazyHandler(async () => (await import('./iam/access-key.js')).rollbackAccessKey()),
    'rollback.role-sessions': lazyHandler(async () =>
      (await import('./iam/role-sessions.js')).rollbackRoleSessions(),
    ),
    'rollback.s3-bucket': lazyHandler(async () => (await import('./s3/bucket.js')).rollbackS3Bucket()),
    'rollback.block-ip': lazyHandler(async () => (await import('./network/block-ip.js')).rollbackBlockIp()),
    'rollback.cloudtrail-logging': lazyHandler(async () =>
      (await import('./remediation/cloudtrail-logging.js')).rollbackCloudTrailLogging(deps),
    ),
    'rollback.security-group-ingress': lazyHandler(async () =>
      (await import('./remediation/security-group-ingress.js')).rollbackSecurityGroupIngress(),
    ),
    'rollback.ec2-metadata': lazyHandler(async () =>
      (await import('./ec2/metadata.js')).rollbackEc2Metadata(),
    ),
    'rollback.ecs-task': lazyHandler(async () => (await import('./ecs/rollback-task.js')).rollbackEcsTask()),
    'rollback.eks-endpoint-access': lazyHandler(async () =>
      (await import('./eks/endpoint-access.js')).rollbackEksEndpointAccess(),
    ),
    'rollback.eks-pod-network': lazyHandler(async () =>
      (await import('./eks/pod-network.js')).rollbackEksPodNetwork(),
    ),
    'rollback.eks-node-cordon': lazyHandler(async () =>
      (await import('./eks/node-cordon.js')).rollbackEksNodeCordon(),
    ),
    'rollback.eks-workload-role': lazyHandler(async () =>
      (await import('./eks/workload-role.js')).rollbackEksWorkloadRole(),
    ),
    'rollback.s3-object': lazyHandler(async () => (await import('./s3/object.js')).rollbackS3Object()),
    'rollback.lambda-function': lazyHandler(async () =>
      (await import('./lambda/function.js')).rollbackLambdaFunction(),
    ),
    'rollback.rds-database': lazyHandler(async () =>
      (await import('./rds/isolate.js')).rollbackRdsDatabase(),
    ),
    'rollback.rds-public-access': lazyHandler(async () =>
      (await import('./rds/public-access.js')).rollbackRdsPublicAccess(),
    ),
    'rollback.tag-incident': lazyHandler(async () =>
      (await import('./tagging/tag-incident.js')).rollbackTagIncident(),
    ),
  });
}
