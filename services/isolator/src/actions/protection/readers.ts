import { parseProtectedTag, protectedTagIn } from '@ir/contracts';
import type { TagReader, GatedAction } from './gate.js';

/**
 * The tag reader of each gated containment: what that step would change, read live. Exhaustive over
 * {@link GatedAction}, so a new containment without a reader fails to compile. Each reader's module
 * (and its SDK client package) is imported on first use, as the handlers are.
 */
export const protectionReaders: { readonly [K in GatedAction]: () => Promise<TagReader<K>> } = {
  'contain.ec2-instance': async () => {
    const { instanceTags } = await import('./ec2-tags.js');
    return (params, context) => instanceTags(context.client, params.instanceId);
  },
  'contain.ec2-metadata': async () => {
    const { instanceTags } = await import('./ec2-tags.js');
    return (params, context) => instanceTags(context.client, params.instanceId);
  },
  'contain.security-group-ingress': async () => {
    const { securityGroupTags } = await import('./ec2-tags.js');
    return (params, context) => securityGroupTags(context.client, params.groupId);
  },
  'contain.block-ip': async () => {
    const { networkAclTags } = await import('./ec2-tags.js');
    return (params, context) => networkAclTags(context.client, params);
  },
  'contain.iam-user': async () => {
    const { userTags } = await import('./iam-tags.js');
    return (params, context) => userTags(context.client, params.userName);
  },
  'contain.access-key': async () => {
    const { userTags } = await import('./iam-tags.js');
    return (params, context) => userTags(context.client, params.userName);
  },
  'contain.remove-login-profile': async () => {
    const { userTags } = await import('./iam-tags.js');
    return (params, context) => userTags(context.client, params.userName);
  },
  'contain.role-sessions': async () => {
    const { roleTags } = await import('./iam-tags.js');
    return (params, context) => roleTags(context.client, params.roleName);
  },
  'contain.s3-bucket': async () => {
    const { bucketTags } = await import('./s3-tags.js');
    return (params, context) => bucketTags(context.client, params.bucketName);
  },
  'contain.s3-object': async () => {
    const { objectTags } = await import('./s3-tags.js');
    return (params, context) => objectTags(context.client, params, context.incidentId);
  },
  'contain.s3-object-delete': async () => {
    const { objectTags } = await import('./s3-tags.js');
    return (params, context) => objectTags(context.client, params, context.incidentId);
  },
  'contain.cloudtrail-logging': async () => {
    const { trailTags } = await import('./trail-tags.js');
    return (params, context, deps) => trailTags(deps, context, params.trail);
  },
  'contain.lambda-function': async () => {
    const { functionTags } = await import('./lambda-tags.js');
    return (params, context) => functionTags(context.client, params.functionName);
  },
  'contain.rds-database': async () => {
    const { databaseTags } = await import('./rds-tags.js');
    return (params, context) => databaseTags(context.client, params);
  },
  'contain.rds-public-access': async () => {
    const { databaseTags } = await import('./rds-tags.js');
    return (params, context) => databaseTags(context.client, params);
  },
  'contain.ecs-task': async () => {
    const { taskTags } = await import('./ecs-tags.js');
    return (params, context) => taskTags(context.client, params, params.isolate !== false);
  },
  'contain.ecs-task-stop': async () => {
    const { taskTags } = await import('./ecs-tags.js');
    return (params, context) => taskTags(context.client, params, false);
  },
  'contain.eks-endpoint-access': async () => {
    const { clusterTags } = await import('./eks-tags.js');
    return (params, context) => clusterTags(context.client, params.clusterName);
  },
  'contain.eks-pod-network': async () => {
    const { clusterTags } = await import('./eks-tags.js');
    return (params, context) => clusterTags(context.client, params.clusterName);
  },
  'contain.eks-node-cordon': async () => {
    const { clusterTags } = await import('./eks-tags.js');
    return (params, context) => clusterTags(context.client, params.clusterName);
  },
  'contain.eks-workload-role': async () => {
    const { workloadRoleTags } = await import('./eks-tags.js');
    return (params, context, deps) => {
      const tag = parseProtectedTag(deps.config.IR_PROTECTED_TAG);
      return workloadRoleTags(context.client, params, (tags) => protectedTagIn(tags, tag) !== undefined);
    };
  },
};
