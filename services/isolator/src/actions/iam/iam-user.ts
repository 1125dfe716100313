import {
  DeleteUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentStatus, IrTag, tagList } from '../../aws/tags.js';
import { hasErrorCode, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import {
  accessKeys,
  decodePolicy,
  denyAllPolicy,
  keyStatusTag,
  originalKeyStatus,
  policyName,
  refuseRoot,
  userTags,
} from './iam-common.js';

/** What `contain.iam-user` replaces. */
export const IamUserPreState = z.object({
  userName: z.string().min(1),
  policyName: z.string().min(1),
  keys: z.array(z.object({ accessKeyId: z.string().min(1), status: z.enum(['Active', 'Inactive']) })),
  tags: z.record(z.string(), z.string().nullable()),
});
/** @see IamUserPreState */
export type IamUserPreState = z.infer<typeof IamUserPreState>;

const USER_TAG_KEYS = [IrTag.incidentId, IrTag.status] as const;

async function userPolicy(iam: IAMClient, userName: string, name: string) {
  try {
    const output = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }));
    return decodePolicy(output.PolicyDocument);
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
}

/**
 * `contain.iam-user` (TRAPS 8): a deny-all inline policy, every access key Inactive (never deleted:
 * they are evidence), the user tagged. Each key's previous status is tagged on the user before it is
 * changed, so a repeat reports the original statuses. The console password is a separate,
 * approval-gated action (`contain.remove-login-profile`).
 */
export function containIamUser(): StepHandler<'contain.iam-user'> {
  return async ({ userName }, context) => {
    refuseRoot(userName);
    const iam = await context.client(IAMClient);
    await iam.send(new GetUserCommand({ UserName: userName }));
    const tags = await userTags(iam, userName);
    const keys = await accessKeys(iam, userName);
    const name = policyName('deny-all', context.incidentId);
    const ours = tags[IrTag.incidentId] === context.incidentId;
    const preState: IamUserPreState = {
      userName,
      policyName: name,
      keys: keys.map((key) => ({
        ...key,
        status: originalKeyStatus(tags, key) === 'Inactive' ? 'Inactive' : 'Active',
      })),
      tags: Object.fromEntries(USER_TAG_KEYS.map((key) => [key, ours ? null : (tags[key] ?? null)])),
    };
    const active = keys.filter((key) => key.status === 'Active');
    const hasPolicy = (await userPolicy(iam, userName, name)) !== undefined;
    const changes = [
      ...(hasPolicy ? [] : [`attach inline policy ${name} denying everything to ${userName}`]),
      ...active.map((key) => `set access key ${key.accessKeyId} Inactive`),
      `tag ${userName} ${IrTag.incidentId}=${context.incidentId}`,
    ];
    if (context.dryRun) return succeeded({ userName, dryRun: true, wouldChange: changes }, { preState });

    const writeAhead = Object.fromEntries(
      keys
        .filter((key) => tags[keyStatusTag(key.accessKeyId)] === undefined)
        .map((key) => [keyStatusTag(key.accessKeyId), key.status]),
    );
    await iam.send(
      new TagUserCommand({
        UserName: userName,
        Tags: tagList({
          ...writeAhead,
          [IrTag.incidentId]: context.incidentId,
          [IrTag.status]: ContainmentStatus.containing,
        }),
      }),
    );
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: name,
        PolicyDocument: denyAllPolicy('IrDenyAll'),
      }),
    );
    for (const key of active) {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.accessKeyId, Status: 'Inactive' }),
      );
    }
    await iam.send(
      new TagUserCommand({
        UserName: userName,
        Tags: tagList({ [IrTag.status]: ContainmentStatus.contained }),
      }),
    );

    const readBack = await readBackUntilVerified(
      async () => {
        const policy = await userPolicy(iam, userName, name);
        const statement = (policy?.Statement as Record<string, unknown>[] | undefined)?.[0];
        const nowKeys = await accessKeys(iam, userName);
        const problems = [
          ...(statement?.Effect === 'Deny' && statement.Action === '*'
            ? []
            : [`inline policy ${name} missing or not deny-all`]),
          ...nowKeys
            .filter((key) => key.status !== 'Inactive')
            .map((key) => `access key ${key.accessKeyId} is ${key.status}`),
        ];
        return { observed: { policyName: name, denyAll: problems.length === 0, keys: nowKeys }, problems };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`containment of user ${userName}`, readBack.problems);
    context.logger.info({ userName, keys: keys.length }, 'iam_user_contained');
    return succeeded(
      { userName, policyName: name, deactivatedKeys: active.map((key) => key.accessKeyId), changes },
      { preState, verified: readBack.observed },
    );
  };
}

/** `rollback.iam-user`: removes the deny policy, restores each key's status and the tags. */
export function rollbackIamUser(): StepHandler<'rollback.iam-user'> {
  return async (params, context) => {
    const preState = parsePreState(IamUserPreState, params.preState, 'rollback.iam-user');
    const { userName } = preState;
    const iam = await context.client(IAMClient);
    const keys = await accessKeys(iam, userName);
    const tags = await userTags(iam, userName);
    const notRestored = preState.keys
      .filter((key) => !keys.some((now) => now.accessKeyId === key.accessKeyId))
      .map((key) => ({ item: key.accessKeyId, reason: 'the access key no longer exists' }));
    const toRestore = preState.keys.filter((key) =>
      keys.some((now) => now.accessKeyId === key.accessKeyId && now.status !== key.status),
    );
    const hasPolicy = (await userPolicy(iam, userName, preState.policyName)) !== undefined;
    const removeTags = [
      ...preState.keys.map((key) => keyStatusTag(key.accessKeyId)),
      ...Object.entries(preState.tags)
        .filter(([, value]) => value === null)
        .map(([key]) => key),
    ].filter((key) => tags[key] !== undefined);
    const restoreTags = Object.fromEntries(
      Object.entries(preState.tags).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    const changes = [
      ...(hasPolicy ? [`delete inline policy ${preState.policyName}`] : []),
      ...toRestore.map((key) => `set access key ${key.accessKeyId} ${key.status}`),
      ...(removeTags.length > 0 ? [`remove tags ${removeTags.join(', ')}`] : []),
    ];
    if (context.dryRun) return succeeded({ userName, notRestored, dryRun: true, wouldChange: changes });

    for (const key of toRestore) {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.accessKeyId, Status: key.status }),
      );
    }
    if (hasPolicy)
      await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: preState.policyName }));
    if (removeTags.length > 0)
      await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: removeTags }));
    if (Object.keys(restoreTags).length > 0)
      await iam.send(new TagUserCommand({ UserName: userName, Tags: tagList(restoreTags) }));

    const readBack = await readBackUntilVerified(
      async () => {
        const nowKeys = await accessKeys(iam, userName);
        const policy = await userPolicy(iam, userName, preState.policyName);
        const problems = [
          ...(policy ? [`inline policy ${preState.policyName} still attached`] : []),
          ...preState.keys.flatMap((key) => {
            const now = nowKeys.find((candidate) => candidate.accessKeyId === key.accessKeyId);
            return now && now.status !== key.status
              ? [`access key ${key.accessKeyId} is ${now.status}, expected ${key.status}`]
              : [];
          }),
        ];
        return { observed: { policyAttached: policy !== undefined, keys: nowKeys }, problems };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`rollback of user ${userName}`, readBack.problems);
    context.logger.info({ userName }, 'iam_user_containment_rolled_back');
    return succeeded({ userName, notRestored, changes }, { verified: readBack.observed });
  };
}
