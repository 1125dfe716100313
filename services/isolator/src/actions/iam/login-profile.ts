import { DeleteLoginProfileCommand, GetLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { hasErrorCode, VerificationFailedError } from '../../errors.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import { refuseRoot } from './iam-common.js';

async function loginProfile(iam: IAMClient, userName: string) {
  try {
    return (await iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/**
 * `contain.remove-login-profile`: deletes the console password. It cannot be restored (the password
 * is not readable), so it has no rollback, the playbook gates it behind approval, and the result says
 * so. Already absent counts as done.
 */
export function containRemoveLoginProfile(): StepHandler<'contain.remove-login-profile'> {
  return async ({ userName }, context) => {
    refuseRoot(userName);
    const iam = await context.client(IAMClient);
    const profile = await loginProfile(iam, userName);
    const preState = {
      userName,
      hadLoginProfile: profile !== undefined,
      ...(profile?.CreateDate ? { createdAt: profile.CreateDate.toISOString() } : {}),
      restorable: false,
    };
    const irreversible =
      'the console password cannot be restored; a new one must be set and handed over by a person';
    const changes = profile ? [`delete the console login profile of ${userName}`] : [];
    if (context.dryRun)
      return succeeded({ userName, dryRun: true, wouldChange: changes, irreversible }, { preState });
    if (profile) {
      try {
        await iam.send(new DeleteLoginProfileCommand({ UserName: userName }));
      } catch (error: unknown) {
        // A concurrent delivery removed it first.
        if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
      }
    }
    if ((await loginProfile(iam, userName)) !== undefined) {
      throw new VerificationFailedError(`removal of the login profile of ${userName}`, [
        'the login profile still exists',
      ]);
    }
    context.logger.info({ userName, removed: profile !== undefined }, 'login_profile_removed');
    return succeeded(
      {
        userName,
        removed: profile !== undefined,
        alreadyAbsent: profile === undefined,
        irreversible,
        changes,
      },
      { preState, verified: { loginProfile: 'absent' } },
    );
  };
}
