import { containActions, rollbackActions } from '@ir/contracts';
import type { StepActionTable } from '@ir/runtime';
import type { ActionDeps } from './action-deps.js';
import { containEc2Instance } from './ec2/contain-instance.js';
import { containEc2Metadata, rollbackEc2Metadata } from './ec2/metadata.js';
import { containEcsTask } from './ecs/contain-task.js';
import { rollbackEcsTask } from './ecs/rollback-task.js';
import { containEcsTaskStop } from './ecs/stop-task.js';
import { containEksEndpointAccess, rollbackEksEndpointAccess } from './eks/endpoint-access.js';
import { containEksNodeCordon, rollbackEksNodeCordon } from './eks/node-cordon.js';
import { containEksPodNetwork, rollbackEksPodNetwork } from './eks/pod-network.js';
import { whenKubernetesReachable } from './eks/kube/unavailable.js';
import { containEksWorkloadRole, rollbackEksWorkloadRole } from './eks/workload-role.js';
import { rollbackEc2Instance } from './ec2/rollback-instance.js';
import { containLambdaFunction, rollbackLambdaFunction } from './lambda/function.js';
import { containAccessKey, rollbackAccessKey } from './iam/access-key.js';
import { containIamUser, rollbackIamUser } from './iam/iam-user.js';
import { containRemoveLoginProfile } from './iam/login-profile.js';
import { containRoleSessions, rollbackRoleSessions } from './iam/role-sessions.js';
import { containBlockIp, rollbackBlockIp } from './network/block-ip.js';
import { containCloudTrailLogging, rollbackCloudTrailLogging } from './remediation/cloudtrail-logging.js';
import {
  containSecurityGroupIngress,
  rollbackSecurityGroupIngress,
} from './remediation/security-group-ingress.js';
import { containRdsDatabase, rollbackRdsDatabase } from './rds/isolate.js';
import { containRdsPublicAccess, rollbackRdsPublicAccess } from './rds/public-access.js';
import { containS3Bucket, rollbackS3Bucket } from './s3/bucket.js';
import { containS3Object, rollbackS3Object } from './s3/object.js';
import { containS3ObjectDelete } from './s3/object-delete.js';
import { containTagIncident, rollbackTagIncident } from './tagging/tag-incident.js';

/** Every message type the isolator accepts on its queue: each containment and each rollback. */
export const isolatorMessageTypes = [...containActions, ...rollbackActions] as const;
/** One of them. */
export type IsolatorMessageType = (typeof isolatorMessageTypes)[number];

/**
 * The isolator's action table, one handler per message type. Typed by the mapped
 * `StepActionTable`, so a type added to `containActions` or `rollbackActions` without a handler here
 * fails to compile.
 */
export function createActions(deps: ActionDeps): StepActionTable<IsolatorMessageType> {
  return {
    'contain.ec2-instance': containEc2Instance(deps),
    'contain.iam-user': containIamUser(),
    'contain.access-key': containAccessKey(),
    'contain.role-sessions': containRoleSessions(deps),
    'contain.s3-bucket': containS3Bucket(deps),
    'contain.block-ip': containBlockIp(deps),
    'contain.remove-login-profile': containRemoveLoginProfile(),
    'contain.cloudtrail-logging': containCloudTrailLogging(deps),
    'contain.security-group-ingress': containSecurityGroupIngress(deps),
    'contain.ec2-metadata': containEc2Metadata(),
    'contain.ecs-task': containEcsTask(deps),
    'contain.ecs-task-stop': containEcsTaskStop(),
    'contain.eks-endpoint-access': containEksEndpointAccess(deps),
    'contain.eks-pod-network': whenKubernetesReachable(
      deps,
      'contain.eks-pod-network',
      containEksPodNetwork(deps),
    ),
    'contain.eks-node-cordon': whenKubernetesReachable(
      deps,
      'contain.eks-node-cordon',
      containEksNodeCordon(),
    ),
    'contain.eks-workload-role': containEksWorkloadRole(deps),
    'contain.s3-object': containS3Object(deps),
    'contain.s3-object-delete': containS3ObjectDelete(deps),
    'contain.lambda-function': containLambdaFunction(),
    'contain.rds-database': containRdsDatabase(deps),
    'contain.rds-public-access': containRdsPublicAccess(),
    'contain.tag-incident': containTagIncident(),
    'rollback.ec2-instance': rollbackEc2Instance(),
    'rollback.iam-user': rollbackIamUser(),
    'rollback.access-key': rollbackAccessKey(),
    'rollback.role-sessions': rollbackRoleSessions(),
    'rollback.s3-bucket': rollbackS3Bucket(),
    'rollback.block-ip': rollbackBlockIp(),
    'rollback.cloudtrail-logging': rollbackCloudTrailLogging(deps),
    'rollback.security-group-ingress': rollbackSecurityGroupIngress(),
    'rollback.ec2-metadata': rollbackEc2Metadata(),
    'rollback.ecs-task': rollbackEcsTask(),
    'rollback.eks-endpoint-access': rollbackEksEndpointAccess(),
    'rollback.eks-pod-network': rollbackEksPodNetwork(),
    'rollback.eks-node-cordon': rollbackEksNodeCordon(),
    'rollback.eks-workload-role': rollbackEksWorkloadRole(),
    'rollback.s3-object': rollbackS3Object(),
    'rollback.lambda-function': rollbackLambdaFunction(),
    'rollback.rds-database': rollbackRdsDatabase(),
    'rollback.rds-public-access': rollbackRdsPublicAccess(),
    'rollback.tag-incident': rollbackTagIncident(),
  };
}
