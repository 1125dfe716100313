import {
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { hasErrorCode, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';

const Pab = z.object({
  BlockPublicAcls: z.boolean(),
  IgnorePublicAcls: z.boolean(),
  BlockPublicPolicy: z.boolean(),
  RestrictPublicBuckets: z.boolean(),
});
const PAB_KEYS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;
const ALL_ON: z.infer<typeof Pab> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** What `contain.s3-bucket` replaces (TRAPS 10). */
export const S3BucketPreState = z.object({
  bucketName: z.string().min(1),
  publicAccessBlock: Pab.nullable(),
  /** The policy document as it was, or null when the bucket had none. */
  policy: z.string().nullable(),
  statementSidPrefix: z.string().min(1),
});
/** @see S3BucketPreState */
export type S3BucketPreState = z.infer<typeof S3BucketPreState>;

/** One bucket-policy statement, as S3 returns it. */
export type Statement = Record<string, unknown>;
/** A bucket policy with `Statement` always an array. */
export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

async function readPab(s3: S3Client, bucket: string) {
  try {
    const output = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const config = output.PublicAccessBlockConfiguration ?? {};
    return Object.fromEntries(PAB_KEYS.map((key) => [key, config[key] === true])) as z.infer<typeof Pab>;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw error;
  }
}

/** The bucket's policy text, or null when it has none. */
export async function readPolicy(s3: S3Client, bucket: string): Promise<string | null> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchBucketPolicy')) return null;
    throw error;
  }
}

/** A policy document with its statements as an array (an empty one when there is no policy). */
export function parsePolicy(text: string | null): PolicyDocument {
  if (!text) return { Version: '2012-10-17', Statement: [] };
  const parsed = JSON.parse(text) as { Version?: string; Statement?: Statement | Statement[] };
  const statements =
    parsed.Statement === undefined
      ? []
      : Array.isArray(parsed.Statement)
        ? parsed.Statement
        : [parsed.Statement];
  return { ...parsed, Statement: statements };
}

/**
 * The Sid of our deny statement encodes the pre-state that the policy itself cannot show: the
 * previous public-access block (4 bits, or `None`) and whether a policy existed. Why: a repeated
 * command finds its own statement and recovers the original state from it, with no state elsewhere.
 */
function sidFor(prefix: string, pab: z.infer<typeof Pab> | null, hadPolicy: boolean): string {
  const bits = pab ? PAB_KEYS.map((key) => (pab[key] ? '1' : '0')).join('') : 'None';
  return `${prefix}Pab${bits}Pol${hadPolicy ? 1 : 0}`;
}

function preStateFromSid(sid: string): { pab: z.infer<typeof Pab> | null; hadPolicy: boolean } {
  const match = /Pab(None|[01]{4})Pol([01])$/.exec(sid);
  const bits = match?.[1] ?? 'None';
  const pab =
    bits === 'None'
      ? null
      : (Object.fromEntries(PAB_KEYS.map((key, i) => [key, bits[i] === '1'])) as z.infer<typeof Pab>);
  return { pab, hadPolicy: match?.[2] === '1' };
}

/** Our own principal as `aws:PrincipalArn` sees it, so the deny never locks the rollback out. */
export async function callerPrincipalPatterns(context: Pick<StepContext, 'client'>): Promise<string[]> {
  const identity = await (await context.client(STSClient)).send(new GetCallerIdentityCommand({}));
  const arn = identity.Arn ?? '';
  const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (!assumed) return arn ? [arn] : [];
  const [, partition, account, role] = assumed;
  return [`arn:${partition}:iam::${account}:role/${role}`, `arn:${partition}:iam::${account}:role/*/${role}`];
}

/**
 * Who a deny statement of ours exempts (`aws:PrincipalArn` patterns): the command's principals, the
 * configured `IR_S3_ALLOW_PRINCIPAL_ARNS`, and the isolator's own role, so a rollback is never locked out.
 */
export async function exemptPrincipals(
  commanded: readonly string[],
  deps: ActionDeps,
  context: Pick<StepContext, 'client'>,
): Promise<string[]> {
  return [
    ...new Set([
      ...commanded,
      ...deps.config.IR_S3_ALLOW_PRINCIPAL_ARNS,
      ...(await callerPrincipalPatterns(context)),
    ]),
  ];
}

/**
 * `contain.s3-bucket`: records the public-access block and policy, turns on all four block settings
 * and adds one deny statement for every principal but the allowed ones (the command's, the
 * configured ones, and the isolator's own role). Existing statements are kept, never replaced.
 */
export function containS3Bucket(deps: ActionDeps): StepHandler<'contain.s3-bucket'> {
  return async ({ bucketName, allowPrincipalArns = [] }, context) => {
    const s3 = await context.client(S3Client);
    const prefix = `IrIsolator${context.incidentId.replace(/[^A-Za-z0-9]/g, '')}`;
    const pabNow = await readPab(s3, bucketName);
    const policyNow = await readPolicy(s3, bucketName);
    const document = parsePolicy(policyNow);
    const ours = document.Statement.find((statement) => String(statement.Sid ?? '').startsWith(prefix));
    const others = document.Statement.filter((statement) => statement !== ours);
    const recovered = ours ? preStateFromSid(String(ours.Sid)) : undefined;
    const preState: S3BucketPreState = {
      bucketName,
      publicAccessBlock: recovered ? recovered.pab : pabNow,
      policy: recovered
        ? recovered.hadPolicy
          ? JSON.stringify({ ...document, Statement: others })
          : null
        : policyNow,
      statementSidPrefix: prefix,
    };
    const allowed = await exemptPrincipals(allowPrincipalArns, deps, context);
    const statement: Statement = {
      Sid: sidFor(prefix, preState.publicAccessBlock, preState.policy !== null),
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
      Condition: { StringNotLike: { 'aws:PrincipalArn': allowed } },
    };
    const pabChanged = PAB_KEYS.some((key) => pabNow?.[key] !== true);
    const changes = [
      ...(pabChanged ? ['turn on all four public-access-block settings'] : []),
      ...(ours ? [] : [`add deny statement ${String(statement.Sid)} (allowed: ${allowed.join(', ')})`]),
    ];
    if (context.dryRun) return succeeded({ bucketName, dryRun: true, wouldChange: changes }, { preState });
    // The policy first: with BlockPublicPolicy on, a public policy could no longer be rewritten.
    if (!ours) {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucketName,
          Policy: JSON.stringify({ ...document, Statement: [...others, statement] }),
        }),
      );
    }
    if (pabChanged)
      await s3.send(
        new PutPublicAccessBlockCommand({ Bucket: bucketName, PublicAccessBlockConfiguration: ALL_ON }),
      );

    const pabRead = await readPab(s3, bucketName);
    const policyRead = parsePolicy(await readPolicy(s3, bucketName));
    const kept = policyRead.Statement.map((s) => JSON.stringify(s));
    const problems = [
      ...PAB_KEYS.filter((key) => pabRead?.[key] !== true).map((key) => `${key} is off`),
      ...(policyRead.Statement.some((s) => String(s.Sid ?? '').startsWith(prefix))
        ? []
        : ['deny statement missing']),
      ...others
        .filter((s) => !kept.includes(JSON.stringify(s)))
        .map((s) => `statement ${String(s.Sid ?? '(no sid)')} lost`),
    ];
    if (problems.length > 0) throw new VerificationFailedError(`lockdown of bucket ${bucketName}`, problems);
    context.logger.info({ bucketName }, 's3_bucket_contained');
    return succeeded(
      { bucketName, statementSid: ours?.Sid ?? statement.Sid, changes },
      {
        preState,
        verified: {
          publicAccessBlock: pabRead,
          statements: policyRead.Statement.length,
          previousStatementsKept: others.length,
        },
      },
    );
  };
}

/**
 * `rollback.s3-bucket`: the public-access block as it was, and our deny statement removed. Other
 * statements, including any added since containment, are kept; the policy is deleted only when it
 * did not exist before and nothing else is left in it.
 */
export function rollbackS3Bucket(): StepHandler<'rollback.s3-bucket'> {
  return async (params, context) => {
    const preState = parsePreState(S3BucketPreState, params.preState, 'rollback.s3-bucket');
    const { bucketName, statementSidPrefix: prefix } = preState;
    const s3 = await context.client(S3Client);
    const document = parsePolicy(await readPolicy(s3, bucketName));
    const remaining = document.Statement.filter(
      (statement) => !String(statement.Sid ?? '').startsWith(prefix),
    );
    const removeStatement = remaining.length !== document.Statement.length;
    const deletePolicy = removeStatement && remaining.length === 0 && preState.policy === null;
    const changes = [
      ...(removeStatement
        ? [deletePolicy ? 'delete the bucket policy' : `remove statements ${prefix}*`]
        : []),
      preState.publicAccessBlock
        ? 'restore the previous public-access block'
        : 'delete the public-access block',
    ];
    if (context.dryRun) return succeeded({ bucketName, dryRun: true, wouldChange: changes });
    if (preState.publicAccessBlock) {
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucketName,
          PublicAccessBlockConfiguration: preState.publicAccessBlock,
        }),
      );
    } else {
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucketName }));
    }
    if (deletePolicy) await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucketName }));
    else if (removeStatement) {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucketName,
          Policy: JSON.stringify({ ...document, Statement: remaining }),
        }),
      );
    }
    const pabRead = await readPab(s3, bucketName);
    const policyRead = await readPolicy(s3, bucketName);
    const problems = [
      ...(JSON.stringify(pabRead) === JSON.stringify(preState.publicAccessBlock)
        ? []
        : [`public-access block is ${JSON.stringify(pabRead)}`]),
      ...(parsePolicy(policyRead).Statement.some((s) => String(s.Sid ?? '').startsWith(prefix))
        ? ['deny statement still present']
        : []),
    ];
    if (problems.length > 0) throw new VerificationFailedError(`rollback of bucket ${bucketName}`, problems);
    context.logger.info({ bucketName }, 's3_bucket_containment_rolled_back');
    return succeeded(
      { bucketName, changes },
      { verified: { publicAccessBlock: pabRead, policy: policyRead } },
    );
  };
}
