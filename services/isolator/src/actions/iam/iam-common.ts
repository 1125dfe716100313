import { type IAMClient, ListUserTagsCommand, paginateListAccessKeys } from '@aws-sdk/client-iam';
import { ContainmentRefusedError } from '../../errors.js';
import { IrTag, tagMap } from '../../aws/tags.js';

/** A policy that denies everything, optionally only to sessions issued before a time (TRAPS 7). */
export function denyAllPolicy(sid: string, tokenIssuedBefore?: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        ...(tokenIssuedBefore
          ? { Condition: { DateLessThan: { 'aws:TokenIssueTime': tokenIssuedBefore } } }
          : {}),
      },
    ],
  });
}

/** IAM returns policy documents URL-encoded (emulators sometimes not). */
export function decodePolicy(document: string | undefined): Record<string, unknown> | undefined {
  if (!document) return undefined;
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The root user cannot be contained with policies (no policy binds it): TRAPS 9 says escalate to a
 * person instead of reporting success.
 */
export function refuseRoot(name: string): void {
  if (/^(root|<root_account>)$/i.test(name) || /:root$/.test(name)) {
    throw new ContainmentRefusedError(
      'the root user cannot be contained by the isolator (policies do not bind it); a person must secure the root credentials (password, MFA, access keys) by hand',
      { principal: name },
    );
  }
}

/** The user's tags as a map. */
export async function userTags(iam: IAMClient, userName: string): Promise<Record<string, string>> {
  const output = await iam.send(new ListUserTagsCommand({ UserName: userName }));
  return tagMap(output.Tags);
}

/** Every access key of the user with its status (paginated). */
export async function accessKeys(
  iam: IAMClient,
  userName: string,
): Promise<{ accessKeyId: string; status: string }[]> {
  const keys: { accessKeyId: string; status: string }[] = [];
  for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) {
    for (const key of page.AccessKeyMetadata ?? []) {
      if (key.AccessKeyId) keys.push({ accessKeyId: key.AccessKeyId, status: key.Status ?? 'Active' });
    }
  }
  return keys;
}

/** `ir:key-status:<id>`: the key's status before its first containment, kept on the user. */
export function keyStatusTag(accessKeyId: string): string {
  return `${IrTag.keyStatusPrefix}${accessKeyId}`;
}

/**
 * The status a key had before any containment: the write-ahead tag when an earlier run left one, else
 * its status now. Why: a repeated command must not record "Inactive" as the state to restore.
 */
export function originalKeyStatus(
  tags: Readonly<Record<string, string>>,
  key: { accessKeyId: string; status: string },
) {
  return tags[keyStatusTag(key.accessKeyId)] ?? key.status;
}
