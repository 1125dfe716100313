import { IAMClient, TagUserCommand, UntagUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { tagList } from '../../aws/tags.js';
import { ResourceNotFoundError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import { accessKeys, keyStatusTag, originalKeyStatus, refuseRoot, userTags } from './iam-common.js';

/** What `contain.access-key` replaces. */
export const AccessKeyPreState = z.object({
  userName: z.string().min(1),
  accessKeyId: z.string().min(1),
  status: z.enum(['Active', 'Inactive']),
});
/** @see AccessKeyPreState */
export type AccessKeyPreState = z.infer<typeof AccessKeyPreState>;

/**
 * Sets one key to `status` and reads every key of the user back: the named key must have it, and
 * every other key must keep the status it had (TRAPS 8: exactly that key, not the user's others).
 */
async function setKeyStatus(
  iam: IAMClient,
  userName: string,
  accessKeyId: string,
  status: 'Active' | 'Inactive',
  others: readonly { accessKeyId: string; status: string }[],
) {
  await iam.send(
    new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: status }),
  );
  const keys = await accessKeys(iam, userName);
  const seen = keys.find((key) => key.accessKeyId === accessKeyId)?.status;
  const problems = [
    ...(seen === status ? [] : [`access key ${accessKeyId} is ${seen ?? 'not found'}, not ${status}`]),
    ...others.flatMap((other) => {
      const now = keys.find((key) => key.accessKeyId === other.accessKeyId);
      return now && now.status !== other.status
        ? [`access key ${other.accessKeyId} changed to ${now.status}`]
        : [];
    }),
  ];
  if (problems.length > 0) throw new VerificationFailedError(`status of access key ${accessKeyId}`, problems);
  return { keys };
}

async function findKey(iam: IAMClient, userName: string, accessKeyId: string) {
  const keys = await accessKeys(iam, userName);
  const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId);
  if (!key)
    throw new ResourceNotFoundError(`access key ${accessKeyId} does not belong to user ${userName}`, {
      userName,
    });
  return { key, others: keys.filter((candidate) => candidate !== key) };
}

/** `contain.access-key`: deactivates exactly the named key; its previous status is tagged on the user first. */
export function containAccessKey(): StepHandler<'contain.access-key'> {
  return async ({ userName, accessKeyId }, context) => {
    refuseRoot(userName);
    const iam = await context.client(IAMClient);
    const { key, others } = await findKey(iam, userName, accessKeyId);
    const tags = await userTags(iam, userName);
    const preState: AccessKeyPreState = {
      userName,
      accessKeyId,
      status: originalKeyStatus(tags, key) === 'Inactive' ? 'Inactive' : 'Active',
    };
    const changes = key.status === 'Active' ? [`set access key ${accessKeyId} Inactive`] : [];
    if (context.dryRun)
      return succeeded({ userName, accessKeyId, dryRun: true, wouldChange: changes }, { preState });
    if (tags[keyStatusTag(accessKeyId)] === undefined) {
      await iam.send(
        new TagUserCommand({
          UserName: userName,
          Tags: tagList({ [keyStatusTag(accessKeyId)]: key.status }),
        }),
      );
    }
    const { keys } = await setKeyStatus(iam, userName, accessKeyId, 'Inactive', others);
    context.logger.info({ userName, accessKeyId }, 'access_key_deactivated');
    return succeeded({ userName, accessKeyId, changes }, { preState, verified: { keys } });
  };
}

/** `rollback.access-key`: the key's previous status, and the write-ahead tag removed. */
export function rollbackAccessKey(): StepHandler<'rollback.access-key'> {
  return async (params, context) => {
    const preState = parsePreState(AccessKeyPreState, params.preState, 'rollback.access-key');
    const { userName, accessKeyId, status } = preState;
    const iam = await context.client(IAMClient);
    const { key, others } = await findKey(iam, userName, accessKeyId);
    const tags = await userTags(iam, userName);
    const changes = key.status === status ? [] : [`set access key ${accessKeyId} ${status}`];
    if (context.dryRun) return succeeded({ userName, accessKeyId, dryRun: true, wouldChange: changes });
    const { keys } = await setKeyStatus(iam, userName, accessKeyId, status, others);
    if (tags[keyStatusTag(accessKeyId)] !== undefined) {
      await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [keyStatusTag(accessKeyId)] }));
    }
    context.logger.info({ userName, accessKeyId, status }, 'access_key_restored');
    return succeeded({ userName, accessKeyId, changes }, { verified: { keys } });
  };
}
