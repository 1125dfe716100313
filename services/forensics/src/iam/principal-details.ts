import {
  GetAccessKeyLastUsedCommand,
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { errorName } from '@ir/runtime';
import { withoutMetadata } from '../handlers/sections.js';

/** IAM returns policy documents URL-encoded; stored decoded (and parsed when it is JSON). */
export function decodePolicyDocument(document: string | undefined): unknown {
  if (!document) return null;
  const text = decodeURIComponent(document);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Follows IAM's Marker/IsTruncated pagination and flattens the pages. */
async function allPages<T>(
  fetch: (
    marker: string | undefined,
  ) => Promise<{ items: T[]; marker?: string | undefined; truncated?: boolean | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    items.push(...page.items);
    marker = page.truncated ? page.marker : undefined;
  } while (marker);
  return items;
}

/** The instance profile named by an ARN (`arn:aws:iam::123:instance-profile/path/name`). */
export async function instanceProfileOf(iam: IAMClient, arn: string) {
  const name = arn.split('/').pop() ?? arn;
  const output = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
  return output.InstanceProfile ?? { Arn: arn, Roles: [] };
}

/** A role with its attached and inline policies (documents decoded). */
export async function roleDetails(iam: IAMClient, roleName: string) {
  const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  const attachedPolicies = await allPages(async (Marker) => {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
    return { items: page.AttachedPolicies ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const inlineNames = await allPages(async (Marker) => {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
    return { items: page.PolicyNames ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const inlinePolicies = [];
  for (const policyName of inlineNames) {
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    inlinePolicies.push({ policyName, document: decodePolicyDocument(policy.PolicyDocument) });
  }
  return {
    role: role
      ? { ...role, AssumeRolePolicyDocument: decodePolicyDocument(role.AssumeRolePolicyDocument) }
      : null,
    attachedPolicies,
    inlinePolicies,
  };
}

/**
 * A user as an investigator needs it: the user, attached and inline policies, groups, access keys with
 * their last use, MFA devices, and whether a console password exists.
 */
export async function userDetails(iam: IAMClient, userName: string) {
  const user = (await iam.send(new GetUserCommand({ UserName: userName }))).User ?? null;
  const attachedPolicies = await allPages(async (Marker) => {
    const page = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker }));
    return { items: page.AttachedPolicies ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const inlineNames = await allPages(async (Marker) => {
    const page = await iam.send(new ListUserPoliciesCommand({ UserName: userName, Marker }));
    return { items: page.PolicyNames ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const inlinePolicies = [];
  for (const policyName of inlineNames) {
    const policy = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
    inlinePolicies.push({ policyName, document: decodePolicyDocument(policy.PolicyDocument) });
  }
  const groups = await allPages(async (Marker) => {
    const page = await iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker }));
    return { items: page.Groups ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const keys = await allPages(async (Marker) => {
    const page = await iam.send(new ListAccessKeysCommand({ UserName: userName, Marker }));
    return { items: page.AccessKeyMetadata ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const accessKeys = [];
  for (const key of keys) {
    const lastUsed = key.AccessKeyId
      ? (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }))).AccessKeyLastUsed
      : undefined;
    accessKeys.push({ ...key, lastUsed: lastUsed ?? null });
  }
  const mfaDevices = await allPages(async (Marker) => {
    const page = await iam.send(new ListMFADevicesCommand({ UserName: userName, Marker }));
    return { items: page.MFADevices ?? [], marker: page.Marker, truncated: page.IsTruncated };
  });
  const loginProfile = await iam.send(new GetLoginProfileCommand({ UserName: userName })).then(
    (output) => ({ exists: true, createDate: output.LoginProfile?.CreateDate?.toISOString() ?? null }),
    (error: unknown) => {
      if (errorName(error) === 'NoSuchEntity' || errorName(error) === 'NoSuchEntityException') {
        return { exists: false, createDate: null };
      }
      throw error;
    },
  );
  return {
    user,
    attachedPolicies,
    inlinePolicies,
    groups,
    accessKeys,
    mfaDevices,
    consolePassword: loginProfile,
  };
}

/** The user an access key belongs to (IAM answers for keys of its own account only). */
export async function ownerOfAccessKey(iam: IAMClient, accessKeyId: string) {
  const output = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  return withoutMetadata(output);
}
