import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import { denyAllPolicy, refuseRoot } from './iam-common.js';
import {
  applyQuarantine,
  isDocument,
  QUARANTINE_PATH,
  type QuarantineState,
  type QuarantineTarget,
  quarantinePolicy,
  readQuarantine,
  removeQuarantine,
} from './quarantine-policy.js';

/**
 * What `contain.role-sessions` replaces: nothing but the absence of its own policy, the managed
 * policy under `/ir-quarantine/` (`policyArn`) that the rollback detaches and deletes.
 */
export const RoleSessionsPreState = z.object({
  roleName: z.string().min(1),
  policyName: z.string().min(1),
  policyArn: z.string().startsWith('arn:'),
});
/** @see RoleSessionsPreState */
export type RoleSessionsPreState = z.infer<typeof RoleSessionsPreState>;

const WARNING =
  'every workload using this role (other instances, tasks, functions) loses its current sessions and must obtain new credentials';

const SID = 'IrRevokeOlderSessions';

/**
 * The `aws:TokenIssueTime` bound of the revocation document, or undefined when the document is not
 * exactly our revocation (absent, or anything else under that name).
 */
function revokedBefore(document: QuarantineState['document']): string | undefined {
  const statement = (document?.Statement as Record<string, unknown>[] | undefined)?.[0];
  const condition = statement?.Condition as { DateLessThan?: Record<string, unknown> } | undefined;
  const bound = condition?.DateLessThan?.['aws:TokenIssueTime'];
  return typeof bound === 'string' && isDocument(document, denyAllPolicy(SID, bound)) ? bound : undefined;
}

/**
 * `contain.role-sessions` (TRAPS 7, 9, 20): denies everything to sessions of the role issued before
 * now (the time of containment, not of the finding), with a customer-managed policy created under
 * `/ir-quarantine/` and attached to the role (never an inline policy). Refuses service-linked roles
 * (IAM does not let us change them) and our own response role, with a reason that asks for a person.
 * A repeat keeps the first run's time and never creates a second policy; a role that already has
 * IAM's 10 managed policies fails the step with what a person must do.
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
    const target: QuarantineTarget = { kind: 'role', name: roleName };
    const policy = quarantinePolicy(role?.Arn, context.incidentId, target);
    const quarantine = await readQuarantine(iam, target, policy.policyArn);
    const existing = revokedBefore(quarantine.document);
    if (quarantine.exists && existing === undefined) {
      throw new VerificationFailedError(`session revocation on ${roleName}`, [
        `${policy.policyArn} exists but its default version is not the session revocation; it was not attached, a person must look at it`,
      ]);
    }
    const issuedBefore = existing ?? context.now().toISOString();
    const preState: RoleSessionsPreState = { roleName, ...policy };
    const changes = [
      ...(quarantine.exists
        ? []
        : [
            `create managed policy ${QUARANTINE_PATH}${policy.policyName} denying sessions issued before ${issuedBefore}`,
          ]),
      ...(quarantine.attached ? [] : [`attach managed policy ${policy.policyArn} to role ${roleName}`]),
    ];
    const result = {
      roleName,
      ...policy,
      revokedSessionsIssuedBefore: issuedBefore,
      warning: WARNING,
    };
    if (context.dryRun) return succeeded({ ...result, dryRun: true, wouldChange: changes }, { preState });
    await applyQuarantine(
      iam,
      target,
      policy,
      denyAllPolicy(SID, issuedBefore),
      quarantine,
      `Revocation of sessions of role ${roleName} issued before ${issuedBefore}, incident ${context.incidentId} (ir-isolator)`,
      // A concurrent delivery may have created it a moment earlier: its time stands.
      (found) => revokedBefore(found) !== undefined,
    );
    const readBack = await readBackUntilVerified(
      async () => {
        const now = await readQuarantine(iam, target, policy.policyArn);
        const bound = revokedBefore(now.document);
        const problems = [
          ...(bound === undefined
            ? [`policy ${policy.policyArn} reads back without the deny on older sessions`]
            : []),
          ...(now.attached ? [] : [`policy ${policy.policyArn} is not attached to ${roleName}`]),
        ];
        return {
          observed: { policyArn: policy.policyArn, attached: now.attached, tokenIssueTimeBefore: bound },
          problems,
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`session revocation on ${roleName}`, readBack.problems);
    // The time that stands is the one read back (a concurrent delivery may have written it first).
    const revokedSessionsIssuedBefore = readBack.observed.tokenIssueTimeBefore ?? issuedBefore;
    context.logger.info({ roleName, issuedBefore: revokedSessionsIssuedBefore }, 'role_sessions_revoked');
    return succeeded(
      { ...result, revokedSessionsIssuedBefore, changes },
      { preState, verified: readBack.observed },
    );
  };
}

/**
 * `rollback.role-sessions`: detaches and deletes the recorded revocation policy and reads its absence
 * back. Sessions refused meanwhile stay refused.
 */
export function rollbackRoleSessions(): StepHandler<'rollback.role-sessions'> {
  return async (params, context) => {
    const { roleName, policyArn } = parsePreState(
      RoleSessionsPreState,
      params.preState,
      'rollback.role-sessions',
    );
    const iam = await context.client(IAMClient);
    const target: QuarantineTarget = { kind: 'role', name: roleName };
    const quarantine = await readQuarantine(iam, target, policyArn);
    const changes = [
      ...(quarantine.attached ? [`detach managed policy ${policyArn} from role ${roleName}`] : []),
      ...(quarantine.exists ? [`delete managed policy ${policyArn}`] : []),
    ];
    if (context.dryRun) return succeeded({ roleName, dryRun: true, wouldChange: changes });
    await removeQuarantine(iam, target, policyArn, quarantine);
    const readBack = await readBackUntilVerified(
      async () => {
        const now = await readQuarantine(iam, target, policyArn);
        const problems = [
          ...(now.attached ? [`policy ${policyArn} still attached`] : []),
          ...(now.exists ? [`policy ${policyArn} still exists`] : []),
        ];
        return { observed: { policyAttached: now.attached, policyExists: now.exists }, problems };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`rollback of session revocation on ${roleName}`, readBack.problems);
    context.logger.info({ roleName }, 'role_sessions_revocation_rolled_back');
    return succeeded({ roleName, changes }, { verified: readBack.observed });
  };
}
