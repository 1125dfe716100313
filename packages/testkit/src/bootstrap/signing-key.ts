import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KeyMetadata,
  type KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { isAwsError } from '../aws-errors.js';
import { ResourceSetupError } from '../errors.js';
import type { Changes } from './changes.js';

/**
 * Ensures the evidence signing key (`ECC_NIST_P256`, `SIGN_VERIFY`) behind `aliasName` and returns its
 * ARN. KMS keys have no name, so the alias is what makes a re-run find the key it made. Two runs racing
 * may both create a key; the one whose alias lost schedules its key for deletion and uses the winner.
 */
export async function ensureSigningKey(kms: KMSClient, aliasName: string, changes: Changes): Promise<string> {
  const existing = await describe(kms, aliasName);
  if (existing) return checked(existing, aliasName);
  const created = await kms.send(
    new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Description: 'Signs evidence manifests (incident response)',
    }),
  );
  const keyId = created.KeyMetadata?.KeyId;
  if (!keyId) throw new ResourceSetupError(`KMS CreateKey for ${aliasName} returned no key id`);
  try {
    await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));
    changes.created.push(`kms:${aliasName}`);
  } catch (error: unknown) {
    if (!isAwsError(error, 'AlreadyExistsException')) throw error;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  }
  const key = await describe(kms, aliasName);
  if (!key) throw new ResourceSetupError(`KMS alias ${aliasName} vanished after it was created`);
  return checked(key, aliasName);
}

async function describe(kms: KMSClient, keyId: string): Promise<KeyMetadata | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error: unknown) {
    if (isAwsError(error, 'NotFoundException')) return undefined;
    throw error;
  }
}

/** A key the alias names but that cannot sign manifests is a setup error, not something to replace. */
function checked(key: KeyMetadata, aliasName: string): string {
  if (key.KeySpec !== 'ECC_NIST_P256' || key.KeyUsage !== 'SIGN_VERIFY' || !key.Arn) {
    throw new ResourceSetupError(
      `KMS alias ${aliasName} names ${key.Arn ?? key.KeyId}, a ${key.KeySpec} ${key.KeyUsage} key: manifests need an ECC_NIST_P256 SIGN_VERIFY key`,
      { context: { aliasName } },
    );
  }
  return key.Arn;
}
