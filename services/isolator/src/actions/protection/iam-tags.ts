import { IAMClient, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import type { StepContext } from '@ir/runtime';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import { userTags as listUserTags } from '../iam/iam-common.js';
import type { ResourceTags } from './gate.js';

type Client = StepContext['client'];

/** An IAM user's tags (ListUserTags); a user, an access key's user, a console password's user. */
export async function userTags(client: Client, userName: string): Promise<ResourceTags[]> {
  const iam = await client(IAMClient);
  try {
    return [{ key: `iam-user:${userName}`, tags: await listUserTags(iam, userName) }];
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} not found`, { userName });
    }
    throw error;
  }
}

/** An IAM role's tags (ListRoleTags). IAM principals never carry tags in a finding (TRAPS 22). */
export async function roleTags(client: Client, roleName: string): Promise<ResourceTags[]> {
  const iam = await client(IAMClient);
  try {
    const tags = (await iam.send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags;
    return [{ key: `iam-role:${roleName}`, tags: tagMap(tags) }];
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} not found`, { roleName });
    }
    throw error;
  }
}
