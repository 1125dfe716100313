import {
  GetUserCommand,
  IAMClient,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentStatus, IrTag, tagList } from '../../aws/tags.js';
import { PolicyLimitExceededError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import {
  accessKeys,
  denyAllPolicy,
  keyStatusTag,
  originalKeyStatus,
  refuseRoot,
  userTags,
} from './iam-common.js';
import {
  applyQuarantine,
  isDocument,
  QUARANTINE_PATH,
  type QuarantineTarget,
  quarantinePolicy,
  readQuarantine,
  removeQuarantine,
} from './quarantine-policy.js';

/**
 * What `contain.iam-user` replaces. `policyArn` is the quarantine policy it attached (created under
 * `/ir-quarantine/`); the rollback detaches and deletes exactly that one.
 */
export const IamUserPreState = z.object({
  userName: z.string().min(1),
  policyName: z.string().min(1),
  policyArn: z.string().startsWith('arn:'),
  keys: z.array(z.object({ accessKeyId: z.string().min(1), status: z.enum(['Active', 'Inactive']) })),
  tags: z.record(z.string(), z.string().nullable()),
});
/** @see IamUserPreState */
export type IamUserPreState = z.infer<typeof IamUserPreState>;

const USER_TAG_KEYS = [IrTag.incidentId, IrTag.status] as const;

/** The quarantine document of a user: deny everything. */
const DENY_ALL = denyAllPolicy('IrDenyAll');

/**
 * `contain.iam-user` (TRAPS 8, 20): a deny-all customer-managed policy created under
 * `/ir-quarantine/` and attached to the user (never an inline policy), every access key Inactive
 * (never deleted: they are evidence), the user tagged. Each key's previous status is tagged on the
 * user before it is changed, so a repeat reports the original statuses. When IAM's quota of 10
 * managed policies stops the attachment, the keys are still deactivated and the step fails with what
 * a person must do. The console password is a separate, approval-gated action
 * (`contain.remove-login-profile`).
 */
export function containIamUser(): StepHandler<'contain.iam-user'> {
  return async ({ userName }, context) => {
    refuseRoot(userName);
    const iam = await context.client(IAMClient);
    const user = (await iam.send(new GetUserCommand({ UserName: userName }))).User;
    const target: QuarantineTarget = { kind: 'user', name: userName };
    const policy = quarantinePolicy(user?.Arn, context.incidentId, target);
    const tags = await userTags(iam, userName);
    const keys = await accessKeys(iam, userName);
    const ours = tags[IrTag.incidentId] === context.incidentId;
    const preState: IamUserPreState = {
      userName,
      ...policy,
      keys: keys.map((key) => ({
        ...key,
        status: originalKeyStatus(tags, key) === 'Inactive' ? 'Inactive' : 'Active',
      })),
      tags: Object.fromEntries(USER_TAG_KEYS.map((key) => [key, ours ? null : (tags[key] ?? null)])),
    };
    const active = keys.filter((key) => key.status === 'Active');
    const quarantine = await readQuarantine(iam, target, policy.policyArn);
    if (quarantine.exists && !isDocument(quarantine.document, DENY_ALL)) {
      throw new VerificationFailedError(`quarantine policy of user ${userName}`, [
        `${policy.policyArn} exists but its default version is not the deny-all document; it was not attached, a person must look at it`,
      ]);
    }
    const changes = [
      ...(quarantine.exists
        ? []
        : [`create managed policy ${QUARANTINE_PATH}${policy.policyName} denying everything`]),
      ...(quarantine.attached ? [] : [`attach managed policy ${policy.policyArn} to user ${userName}`]),
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
    let limited: PolicyLimitExceededError | undefined;
    try {
      await applyQuarantine(
        iam,
        target,
        policy,
        DENY_ALL,
        quarantine,
        `Quarantine of user ${userName} for incident ${context.incidentId} (ir-isolator)`,
        (found) => isDocument(found, DENY_ALL),
      );
    } catch (error: unknown) {
      // Still deactivate the keys: the policy is one mechanism of several (TRAPS 8).
      if (!(error instanceof PolicyLimitExceededError)) throw error;
      limited = error;
    }
    for (const key of active) {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.accessKeyId, Status: 'Inactive' }),
      );
    }
    if (limited) {
      throw new PolicyLimitExceededError(
        `${limited.message}. Every access key of ${userName} was set Inactive meanwhile; the user is not quarantined until the policy is attached`,
        { ...limited.context, deactivatedKeys: active.map((key) => key.accessKeyId) },
        limited.cause,
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
        const now = await readQuarantine(iam, target, policy.policyArn);
        const denyAll = isDocument(now.document, DENY_ALL);
        const nowKeys = await accessKeys(iam, userName);
        const problems = [
          ...(now.exists ? [] : [`managed policy ${policy.policyArn} does not exist`]),
          ...(now.exists && !denyAll ? [`managed policy ${policy.policyArn} is not deny-all`] : []),
          ...(now.attached ? [] : [`managed policy ${policy.policyArn} is not attached to ${userName}`]),
          ...nowKeys
            .filter((key) => key.status !== 'Inactive')
            .map((key) => `access key ${key.accessKeyId} is ${key.status}`),
        ];
        return {
          observed: { policyArn: policy.policyArn, attached: now.attached, denyAll, keys: nowKeys },
          problems,
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`containment of user ${userName}`, readBack.problems);
    context.logger.info({ userName, keys: keys.length }, 'iam_user_contained');
    return succeeded(
      { userName, ...policy, deactivatedKeys: active.map((key) => key.accessKeyId), changes },
      { preState, verified: readBack.observed },
    );
  };
}

/**
 * `rollback.iam-user`: detaches and deletes the recorded quarantine policy, restores each key's status
 * and the tags, and reads the policy's absence back.
 */
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
    const target: QuarantineTarget = { kind: 'user', name: userName };
    const quarantine = await readQuarantine(iam, target, preState.policyArn);
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
      ...(quarantine.attached ? [`detach managed policy ${preState.policyArn} from user ${userName}`] : []),
      ...(quarantine.exists ? [`delete managed policy ${preState.policyArn}`] : []),
      ...toRestore.map((key) => `set access key ${key.accessKeyId} ${key.status}`),
      ...(removeTags.length > 0 ? [`remove tags ${removeTags.join(', ')}`] : []),
    ];
    if (context.dryRun) return succeeded({ userName, notRestored, dryRun: true, wouldChange: changes });

    for (const key of toRestore) {
      await iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.accessKeyId, Status: key.status }),
      );
    }
    await removeQuarantine(iam, target, preState.policyArn, quarantine);
    if (removeTags.length > 0)
      await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: removeTags }));
    if (Object.keys(restoreTags).length > 0)
      await iam.send(new TagUserCommand({ UserName: userName, Tags: tagList(restoreTags) }));

    const readBack = await readBackUntilVerified(
      async () => {
        const nowKeys = await accessKeys(iam, userName);
        const now = await readQuarantine(iam, target, preState.policyArn);
        const problems = [
          ...(now.attached ? [`managed policy ${preState.policyArn} still attached`] : []),
          ...(now.exists ? [`managed policy ${preState.policyArn} still exists`] : []),
          ...preState.keys.flatMap((key) => {
            const now = nowKeys.find((candidate) => candidate.accessKeyId === key.accessKeyId);
            return now && now.status !== key.status
              ? [`access key ${key.accessKeyId} is ${now.status}, expected ${key.status}`]
              : [];
          }),
        ];
        return {
          observed: { policyAttached: now.attached, policyExists: now.exists, keys: nowKeys },
          problems,
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0)
      throw new VerificationFailedError(`rollback of user ${userName}`, readBack.problems);
    context.logger.info({ userName }, 'iam_user_containment_rolled_back');
    return succeeded({ userName, notRestored, changes }, { verified: readBack.observed });
  };
}
