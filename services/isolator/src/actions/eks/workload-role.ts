import {
  DescribePodIdentityAssociationCommand,
  EKSClient,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import { type StepContext, type StepHandler, skipped, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { VerificationFailedError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { containRoleSessions, RoleSessionsPreState, rollbackRoleSessions } from '../iam/role-sessions.js';
import { parsePreState } from '../pre-state.js';
import { readServiceAccount } from './kube/api.js';
import { connectCluster, type EksCluster } from './kube/connect.js';
import { clusterProtected } from './protected.js';

/** The service-account annotation that names its IRSA role. */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Where a role of a service account comes from. */
export const RoleSource = z.enum(['pod-identity', 'irsa']);
/** @see RoleSource */
export type RoleSource = z.infer<typeof RoleSource>;

/** One role of the service account and what it came from. */
export interface WorkloadRole {
  readonly roleArn: string;
  readonly sources: RoleSource[];
}

/** What `contain.eks-workload-role` replaces: the revocation of each role (`contain.role-sessions`). */
export const EksWorkloadRolePreState = z.object({
  clusterName: z.string().min(1),
  namespace: z.string().min(1),
  serviceAccountName: z.string().min(1),
  roles: z.array(
    z.object({
      roleArn: z.string().startsWith('arn:'),
      sources: z.array(RoleSource),
      roleSessions: RoleSessionsPreState,
    }),
  ),
});
/** @see EksWorkloadRolePreState */
export type EksWorkloadRolePreState = z.infer<typeof EksWorkloadRolePreState>;

/**
 * The roles of the service account's EKS Pod Identity associations (`ListPodIdentityAssociations`
 * filtered by namespace and service account, then `DescribePodIdentityAssociation` for each role).
 */
export async function podIdentityRoles(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateListPodIdentityAssociations(
    { client: eks },
    { clusterName, namespace, serviceAccount },
  );
  for await (const page of pages) {
    ids.push(...(page.associations ?? []).flatMap((a) => (a.associationId ? [a.associationId] : [])));
  }
  const roles: string[] = [];
  for (const associationId of ids) {
    const association = (
      await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }))
    ).association;
    if (association?.roleArn) roles.push(association.roleArn);
  }
  return roles;
}

/** The IRSA role the service account's annotation names, or undefined (no annotation, no account). */
export async function irsaRole(
  cluster: Pick<EksCluster, 'core'>,
  namespace: string,
  serviceAccount: string,
): Promise<string | undefined> {
  try {
    const account = await readServiceAccount(cluster.core, namespace, serviceAccount);
    const arn = account.metadata?.annotations?.[IRSA_ANNOTATION]?.trim();
    return arn ? arn : undefined;
  } catch (error: unknown) {
    // No service account: no IRSA role (a pod identity association may still name one).
    if ((error as { name?: string }).name === 'ResourceNotFoundError') return undefined;
    throw error;
  }
}

/** Both sources merged by role ARN, in a stable order. */
export function mergeRoles(podIdentity: readonly string[], irsa: string | undefined): WorkloadRole[] {
  const byArn = new Map<string, RoleSource[]>();
  for (const arn of podIdentity)
    byArn.set(arn, [...new Set([...(byArn.get(arn) ?? []), 'pod-identity' as const])]);
  if (irsa) byArn.set(irsa, [...(byArn.get(irsa) ?? []), 'irsa']);
  return [...byArn.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([roleArn, sources]) => ({ roleArn, sources }));
}

/** The role name of a role ARN (the last path segment: `arn:aws:iam::1:role/path/name` is `name`). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** The account of an ARN. */
const accountOf = (arn: string) => arn.split(':')[4] ?? '';

/**
 * `contain.eks-workload-role`: finds the IAM role(s) the service account holds, from its EKS Pod
 * Identity associations and its IRSA annotation (both, when both give one), and revokes the older
 * sessions of each exactly as `contain.role-sessions` does (its handler, reused). No role: succeeds
 * with `noIamRole: true` and says so. A role in another account than the step's (IRSA can name one)
 * is listed in `notRevoked`: this step's credentials cannot change it. With
 * `IR_EKS_KUBERNETES_API=unavailable` the IRSA annotation is not read (`irsaUnchecked` says so): the
 * pod-identity roles are still revoked, and with none the step is skipped with that reason rather than
 * reporting "no IAM role", which it cannot know.
 */
export function containEksWorkloadRole(deps: ActionDeps): StepHandler<'contain.eks-workload-role'> {
  const revoke = containRoleSessions(deps);
  const kubernetes = deps.config.IR_EKS_KUBERNETES_API === 'enabled';
  return async ({ clusterName, namespace, serviceAccountName }, context) => {
    const where = `service account ${namespace}/${serviceAccountName} in EKS cluster ${clusterName}`;
    const eks = await context.client(EKSClient);
    const podIdentity = await podIdentityRoles(eks, clusterName, namespace, serviceAccountName);
    const cluster = kubernetes ? await connectCluster(context, clusterName) : undefined;
    const roles = mergeRoles(
      podIdentity,
      cluster ? await irsaRole(cluster, namespace, serviceAccountName) : undefined,
    );
    const preState: EksWorkloadRolePreState = { clusterName, namespace, serviceAccountName, roles: [] };
    const irsaUnchecked = cluster
      ? undefined
      : `the IRSA annotation (${IRSA_ANNOTATION}) of ${where} was not read: IR_EKS_KUBERNETES_API=unavailable; read it with kubectl and revoke that role's sessions (contain.role-sessions)`;
    const base = {
      clusterName,
      namespace,
      serviceAccountName,
      ...(cluster ? { clusterProtected: clusterProtected(cluster) } : { irsaUnchecked }),
    };
    if (roles.length === 0 && irsaUnchecked) {
      context.logger.warn(base, 'eks_workload_role_unchecked');
      return skipped(`no EKS Pod Identity role for ${where}, and ${irsaUnchecked}`, base);
    }
    if (roles.length === 0) {
      const note = `no IAM role: ${where} has no EKS Pod Identity association and no ${IRSA_ANNOTATION} annotation; its pods use the node's instance role, if any (contain the node for that)`;
      context.logger.info(base, 'eks_workload_role_none');
      return succeeded(
        {
          ...base,
          noIamRole: true,
          roles: [],
          note,
          ...(context.dryRun ? { dryRun: true, wouldChange: [] } : { changes: [] }),
        },
        { preState },
      );
    }
    const changes: string[] = [];
    const revoked: Record<string, unknown>[] = [];
    const notRevoked: { roleArn: string; reason: string }[] = [];
    for (const role of roles) {
      if (accountOf(role.roleArn) !== context.target.accountId) {
        notRevoked.push({
          roleArn: role.roleArn,
          reason: `the role is in account ${accountOf(role.roleArn)}, not ${context.target.accountId}; revoke its sessions there (contain.role-sessions)`,
        });
        continue;
      }
      // Why a cast: the role-sessions handler reads only the context's incident, clock, dry-run flag,
      // signal, logger and clients, which are the same for this step (as contain.ecs-task does).
      const outcome = await revoke(
        { roleName: roleNameOf(role.roleArn) },
        context as unknown as StepContext<'contain.role-sessions'>,
      );
      if (outcome.kind !== 'succeeded') {
        throw new VerificationFailedError(`session revocation of role ${role.roleArn} of ${where}`, [
          `the revocation answered ${outcome.kind}`,
        ]);
      }
      preState.roles.push({ ...role, roleSessions: RoleSessionsPreState.parse(outcome.preState) });
      revoked.push({ ...role, revocation: outcome.result });
      changes.push(
        ...(((outcome.result.changes ?? outcome.result.wouldChange) as string[] | undefined) ?? []),
      );
    }
    context.logger.info({ ...base, roles: preState.roles.length }, 'eks_workload_role_sessions_revoked');
    return succeeded(
      {
        ...base,
        noIamRole: false,
        roles: revoked,
        notRevoked,
        ...(context.dryRun ? { dryRun: true, wouldChange: changes } : { changes }),
      },
      { preState },
    );
  };
}

/**
 * `rollback.eks-workload-role`: removes each recorded revocation as `rollback.role-sessions` does
 * (its handler, reused). Sessions refused meanwhile stay refused.
 */
export function rollbackEksWorkloadRole(): StepHandler<'rollback.eks-workload-role'> {
  const unrevoke = rollbackRoleSessions();
  return async (params, context) => {
    const preState = parsePreState(EksWorkloadRolePreState, params.preState, 'rollback.eks-workload-role');
    const changes: string[] = [];
    const verified: Record<string, unknown>[] = [];
    for (const role of preState.roles) {
      // Why a cast: as in contain.eks-workload-role.
      const outcome = await unrevoke(
        { originalStepId: params.originalStepId, preState: role.roleSessions },
        context as unknown as StepContext<'rollback.role-sessions'>,
      );
      if (outcome.kind !== 'succeeded') {
        throw new VerificationFailedError(`rollback of the session revocation of role ${role.roleArn}`, [
          `the rollback answered ${outcome.kind}`,
        ]);
      }
      changes.push(
        ...(((outcome.result.changes ?? outcome.result.wouldChange) as string[] | undefined) ?? []),
      );
      verified.push({ roleArn: role.roleArn, ...(outcome.verified ?? {}) });
    }
    const base = {
      clusterName: preState.clusterName,
      namespace: preState.namespace,
      serviceAccountName: preState.serviceAccountName,
      roles: preState.roles.map((role) => role.roleArn),
    };
    if (context.dryRun) return succeeded({ ...base, dryRun: true, wouldChange: changes });
    context.logger.info(base, 'eks_workload_role_revocation_rolled_back');
    return succeeded({ ...base, changes }, { verified: { roles: verified } });
  };
}
