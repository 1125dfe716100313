import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { ContainmentRefusedError, hasErrorCode, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import { decodePolicy, denyAllPolicy, policyName, refuseRoot } from './iam-common.js';

/** What `contain.role-sessions` replaces: nothing but the absence of its own policy. */
export const RoleSessionsPreState = z.object({ roleName: z.string().min(1), policyName: z.string().min(1) });
/** @see RoleSessionsPreState */
export type RoleSessionsPreState = z.infer<typeof RoleSessionsPreState>;

const WARNING =
  'every workload using this role (other instances, tasks, functions) loses its current sessions and must obtain new credentials';

/** The `aws:TokenIssueTime` bound of our policy on the role, or undefined when it is absent. */
async function revokedBefore(iam: IAMClient, roleName: string, name: string): Promise<string | undefined> {
  try {
    const output = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    const statement = (
      decodePolicy(output.PolicyDocument)?.Statement as Record<string, unknown>[] | undefined
    )?.[0];
    const condition = statement?.Condition as { DateLessThan?: Record<string, string> } | undefined;
    return condition?.DateLessThan?.['aws:TokenIssueTime'] ?? '';
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/**
 * `contain.role-sessions` (TRAPS 7, 9): denies everything to sessions of the role issued before now
 * (the time of containment, not of the finding). Refuses service-linked roles (IAM does not let us
 * change them) and our own response role, with a reason that asks for a person. A repeat keeps the
 * first run's time.
 */
export function containRoleSessions(deps: ActionDeps): StepHandler<'contain.role-sessions'> {
  return async ({ roleName }, context) => {
    refuseRoot(roleName);
    const iam = await context.client(IAMClient);
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    if (role?.Path?.startsWith('/aws-service-role/')) {
      throw new ContainmentRefusedError(
        `role ${roleName} is service-linked: IAM does not allow adding policies to it, so its sessions cannot be revoked this way; a person must contain the service using it (or the principal that assumed it)`,
        { roleName },
      );
    }
    if (deps.config.IR_MEMBER_ROLE_NAME && roleName === deps.config.IR_MEMBER_ROLE_NAME) {
      throw new ContainmentRefusedError(
        `role ${roleName} is the isolator's own response role; revoking its sessions would stop containment and rollback everywhere; a person must decide`,
        { roleName },
      );
    }
    const name = policyName('revoke-sessions', context.incidentId);
    const existing = await revokedBefore(iam, roleName, name);
    const issuedBefore = existing || context.now().toISOString();
    const preState: RoleSessionsPreState = { roleName, policyName: name };
    const changes = existing
      ? []
      : [`attach inline policy ${name} denying sessions issued before ${issuedBefore}`];
    const result = {
      roleName,
      policyName: name,
      revokedSessionsIssuedBefore: issuedBefore,
      warning: WARNING,
    };
    if (context.dryRun) return succeeded({ ...result, dryRun: true, wouldChange: changes }, { preState });
    if (!existing) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: name,
          PolicyDocument: denyAllPolicy('IrRevokeOlderSessions', issuedBefore),
        }),
      );
    }
    const readBack = await revokedBefore(iam, roleName, name);
    if (readBack !== issuedBefore) {
      throw new VerificationFailedError(`session revocation on ${roleName}`, [
        `policy ${name} reads back with TokenIssueTime ${readBack ?? '(absent)'}`,
      ]);
    }
    context.logger.info({ roleName, issuedBefore }, 'role_sessions_revoked');
    return succeeded(
      { ...result, changes },
      { preState, verified: { policyName: name, tokenIssueTimeBefore: readBack } },
    );
  };
}

/** `rollback.role-sessions`: removes the revocation policy. Sessions refused meanwhile stay refused. */
export function rollbackRoleSessions(): StepHandler<'rollback.role-sessions'> {
  return async (params, context) => {
    const { roleName, policyName: name } = parsePreState(
      RoleSessionsPreState,
      params.preState,
      'rollback.role-sessions',
    );
    const iam = await context.client(IAMClient);
    const existing = await revokedBefore(iam, roleName, name);
    const changes = existing === undefined ? [] : [`delete inline policy ${name}`];
    if (context.dryRun) return succeeded({ roleName, dryRun: true, wouldChange: changes });
    if (existing !== undefined) {
      try {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      } catch (error: unknown) {
        if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
      }
    }
    if ((await revokedBefore(iam, roleName, name)) !== undefined) {
      throw new VerificationFailedError(`rollback of session revocation on ${roleName}`, [
        `policy ${name} still attached`,
      ]);
    }
    context.logger.info({ roleName }, 'role_sessions_revocation_rolled_back');
    return succeeded({ roleName, changes }, { verified: { policyAttached: false } });
  };
}
