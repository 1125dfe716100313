import { randomInt } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { baseClientConfig } from '@ir/runtime';
import { TestkitError } from './errors.js';

/** The account moto and LocalStack act in when nothing says otherwise. */
export const DEFAULT_EMULATOR_ACCOUNT_ID = '123456789012';

/** Where the emulator is. */
export interface EmulatorTarget {
  readonly endpoint: string;
  readonly region: string;
}

/** Static credentials; structurally an SDK `AwsCredentialIdentity`. */
export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** An emulated AWS account and credentials that act in it. */
export interface EmulatorAccount {
  readonly accountId: string;
  readonly credentials: EmulatorCredentials;
}

/** Twelve random digits, never the emulator's default account. */
export function randomAccountId(): string {
  for (;;) {
    const id = String(randomInt(1e11, 1e12));
    if (id !== DEFAULT_EMULATOR_ACCOUNT_ID) return id;
  }
}

/**
 * A fresh account of its own, so parallel test files never see each other's queues, tables or
 * instances, and no test needs to reset the shared emulator.
 */
export async function isolatedAccount(target: EmulatorTarget): Promise<EmulatorAccount> {
  const accountId = randomAccountId();
  return { accountId, credentials: await accountCredentials(accountId, target) };
}

/**
 * Credentials that act in `accountId` on the emulator: moto and LocalStack both map the keys that
 * STS AssumeRole returns to the account in the role ARN, and neither requires the role to exist.
 */
export async function accountCredentials(
  accountId: string,
  target: EmulatorTarget,
): Promise<EmulatorCredentials> {
  if (!/^\d{12}$/.test(accountId)) throw new TestkitError(`not a 12-digit AWS account id: ${accountId}`);
  const sts = new STSClient(
    baseClientConfig({
      ...target,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
  );
  try {
    const { Credentials: issued } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/ir-testkit`,
        RoleSessionName: `ir-testkit-${accountId}`,
      }),
    );
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      throw new TestkitError(`STS AssumeRole returned no credentials for account ${accountId}`, {
        context: { endpoint: target.endpoint },
      });
    }
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken ? { sessionToken: issued.SessionToken } : {}),
      ...(issued.Expiration ? { expiration: issued.Expiration } : {}),
    };
  } finally {
    sts.destroy();
  }
}
