import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListPolicyVersionsCommand,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
} from '@aws-sdk/client-iam';
import {
  hasErrorCode,
  PolicyLimitExceededError,
  UnexpectedAwsResponseError,
  VerificationFailedError,
} from '../../errors.js';
import { decodePolicy } from './iam-common.js';

/**
 * The IAM path of every quarantine policy. Why a path: the response role may create, attach, detach
 * and delete managed policies only under it (deploy/src/iam/isolator-policy.ts), so it can never put
 * an arbitrary policy on a principal the way `iam:Put*Policy` would allow (TRAPS 20).
 */
export const QUARANTINE_PATH = '/ir-quarantine/';

/** IAM's quota of managed policies attached to one user or role (not raisable for users). */
export const MANAGED_POLICIES_PER_PRINCIPAL = 10;

/** The principal a quarantine policy is attached to. */
export interface QuarantineTarget {
  readonly kind: 'user' | 'role';
  readonly name: string;
}

/** A quarantine policy as the actions record it in their pre-state. */
export interface QuarantinePolicy {
  readonly policyName: string;
  readonly policyArn: string;
}

/** What AWS holds of a quarantine policy now. */
export interface QuarantineState {
  /** The policy exists (under {@link QUARANTINE_PATH}, by its ARN). */
  readonly exists: boolean;
  /** Its default version's document, decoded; undefined when the policy does not exist. */
  readonly document: Record<string, unknown> | undefined;
  /** It is attached to the target. */
  readonly attached: boolean;
}

const MAX_POLICY_NAME = 128;

/**
 * `ir-quarantine-<incident>-<user|role>-<principal>`, with characters IAM refuses replaced. Deterministic
 * per incident and principal, so a repeated command finds the policy its first run created. A name
 * past IAM's 128 characters is cut and ends in a hash of the whole, so two long names never collide.
 */
export function quarantinePolicyName(incidentId: string, target: QuarantineTarget): string {
  const full = `ir-quarantine-${incidentId}-${target.kind}-${target.name}`.replace(/[^\w+=,.@-]/g, '-');
  if (full.length <= MAX_POLICY_NAME) return full;
  const digest = createHash('sha256')
    .update(`${incidentId}\n${target.kind}\n${target.name}`)
    .digest('hex')
    .slice(0, 12);
  return `${full.slice(0, MAX_POLICY_NAME - digest.length - 1)}-${digest}`;
}

/** The policy's ARN, in the partition and account of the principal it quarantines. */
export function quarantinePolicy(
  principalArn: string | undefined,
  incidentId: string,
  target: QuarantineTarget,
): QuarantinePolicy {
  const [prefix, partition, service, , accountId] = principalArn?.split(':') ?? [];
  if (prefix !== 'arn' || service !== 'iam' || !partition || !accountId) {
    throw new UnexpectedAwsResponseError(
      `IAM returned no usable ARN for ${target.kind} ${target.name} (${principalArn ?? 'none'})`,
    );
  }
  const policyName = quarantinePolicyName(incidentId, target);
  return {
    policyName,
    policyArn: `arn:${partition}:iam::${accountId}:policy${QUARANTINE_PATH}${policyName}`,
  };
}

async function attachedArns(iam: IAMClient, target: QuarantineTarget): Promise<string[]> {
  const arns: string[] = [];
  const pages =
    target.kind === 'user'
      ? paginateListAttachedUserPolicies(
          { client: iam },
          { UserName: target.name, PathPrefix: QUARANTINE_PATH },
        )
      : paginateListAttachedRolePolicies(
          { client: iam },
          { RoleName: target.name, PathPrefix: QUARANTINE_PATH },
        );
  for await (const page of pages) {
    for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyArn) arns.push(policy.PolicyArn);
  }
  return arns;
}

/**
 * Reads the policy (by ARN), its default version's document and whether it is attached to the target.
 * Read calls only: dry-runs and read-backs use it.
 */
export async function readQuarantine(
  iam: IAMClient,
  target: QuarantineTarget,
  policyArn: string,
): Promise<QuarantineState> {
  const attached = (await attachedArns(iam, target)).includes(policyArn);
  let versionId: string | undefined;
  try {
    versionId = (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.DefaultVersionId;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) return { exists: false, document: undefined, attached };
    throw error;
  }
  const version = versionId
    ? (await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })))
        .PolicyVersion
    : undefined;
  return { exists: true, document: decodePolicy(version?.Document), attached };
}

/** Whether a policy document is `expected` (JSON text), whatever the key order IAM returns. */
export function isDocument(document: Record<string, unknown> | undefined, expected: string): boolean {
  return document !== undefined && isDeepStrictEqual(document, JSON.parse(expected));
}

/**
 * Creates the policy under {@link QUARANTINE_PATH} unless `state` says it exists, then attaches it
 * unless it is attached. Converges (TRAPS 24): a create that meets `EntityAlreadyExists` (a
 * concurrent delivery, or an answer lost) takes the policy by its ARN, and attaches it only if
 * `accepts` its document; attaching an attached policy is a no-op.
 * IAM's per-principal quota (`LimitExceeded`) becomes a {@link PolicyLimitExceededError} naming what
 * a person can do; the created policy stays, unattached, and a later run reuses it.
 */
export async function applyQuarantine(
  iam: IAMClient,
  target: QuarantineTarget,
  policy: QuarantinePolicy,
  document: string,
  state: QuarantineState,
  description: string,
  accepts: (found: Record<string, unknown> | undefined) => boolean,
): Promise<void> {
  if (!state.exists) {
    try {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: policy.policyName,
          Path: QUARANTINE_PATH,
          PolicyDocument: document,
          Description: description,
        }),
      );
    } catch (error: unknown) {
      if (!hasErrorCode(error, 'EntityAlreadyExists')) throw error;
      const found = await readQuarantine(iam, target, policy.policyArn);
      if (!accepts(found.document)) {
        throw new VerificationFailedError(`quarantine policy of ${target.kind} ${target.name}`, [
          `${policy.policyArn} already exists with another document; it was not attached, a person must look at it`,
        ]);
      }
    }
  }
  if (state.attached) return;
  try {
    if (target.kind === 'user')
      await iam.send(new AttachUserPolicyCommand({ UserName: target.name, PolicyArn: policy.policyArn }));
    else await iam.send(new AttachRolePolicyCommand({ RoleName: target.name, PolicyArn: policy.policyArn }));
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'LimitExceeded')) throw error;
    throw new PolicyLimitExceededError(
      `${target.kind} ${target.name} already has the ${MANAGED_POLICIES_PER_PRINCIPAL} managed policies IAM allows, so the quarantine policy ${policy.policyArn} could not be attached; a person must detach a managed policy the ${target.kind} does not need (or contain it by hand) and run the step again (the policy exists unattached and is reused)`,
      { [`${target.kind}Name`]: target.name, policyArn: policy.policyArn },
      error,
    );
  }
}

/**
 * Detaches the policy from the target and deletes it (its non-default versions first, as IAM
 * requires). Each call tolerates `NoSuchEntity`, so a rollback whose answer was lost converges.
 */
export async function removeQuarantine(
  iam: IAMClient,
  target: QuarantineTarget,
  policyArn: string,
  state: QuarantineState,
): Promise<void> {
  const tolerateGone = (error: unknown) => {
    if (!hasErrorCode(error, 'NoSuchEntity')) throw error;
  };
  if (state.attached) {
    const detached =
      target.kind === 'user'
        ? iam.send(new DetachUserPolicyCommand({ UserName: target.name, PolicyArn: policyArn }))
        : iam.send(new DetachRolePolicyCommand({ RoleName: target.name, PolicyArn: policyArn }));
    await detached.catch(tolerateGone);
  }
  if (!state.exists) return;
  const versions = await iam
    .send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))
    .then((output) => output.Versions ?? [])
    .catch((error: unknown) => {
      tolerateGone(error);
      return [];
    });
  for (const version of versions) {
    if (version.IsDefaultVersion || !version.VersionId) continue;
    await iam
      .send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: version.VersionId }))
      .catch(tolerateGone);
  }
  await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })).catch(tolerateGone);
}
