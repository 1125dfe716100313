import {
  GetRoleCommand,
  IAMClient,
  ListRoleTagsCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { tagList, tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import { userTags } from '../iam/iam-common.js';
import type { NotTaggable, TagAccess, TagClient } from './tag-access.js';

async function readUserTags(iam: IAMClient, userName: string): Promise<Record<string, string>> {
  try {
    return await userTags(iam, userName);
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} not found`, { userName });
    }
    throw error;
  }
}

/** A user, or an access key's user: IAM access keys carry no tags, so the key's user is tagged. */
export async function iamUser(client: TagClient, userName: string, kind: string): Promise<TagAccess> {
  const iam = await client(IAMClient);
  await readUserTags(iam, userName);
  return {
    where:
      kind === 'iam-access-key' ? `IAM user ${userName} (the access key's user)` : `IAM user ${userName}`,
    tagged: { userName },
    read: () => readUserTags(iam, userName),
    write: async (tags, dryRun) => {
      if (!dryRun) await iam.send(new TagUserCommand({ UserName: userName, Tags: tagList(tags) }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [...keys] }));
    },
  };
}

export async function iamRole(client: TagClient, roleName: string): Promise<TagAccess | NotTaggable> {
  const iam = await client(IAMClient);
  let path: string | undefined;
  try {
    path = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Path;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} not found`, { roleName });
    }
    throw error;
  }
  // IAM refuses tags on service-linked roles (their path is /aws-service-role/…), as TRAPS 9 expects.
  if (path?.startsWith('/aws-service-role/')) {
    return {
      notTaggable: `IAM role ${roleName} is a service-linked role, which IAM does not let anyone tag`,
    };
  }
  return {
    where: `IAM role ${roleName}`,
    tagged: { roleName },
    read: async () => tagMap((await iam.send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags),
    write: async (tags, dryRun) => {
      if (!dryRun) await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: tagList(tags) }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await iam.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: [...keys] }));
    },
  };
}
