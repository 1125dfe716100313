import { type KMSClient, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { errorName } from '@ir/runtime';
import { z } from 'zod';
import { sha256 } from './hash.js';

/** The one algorithm manifests are signed with (an `ECC_NIST_P256` `SIGN_VERIFY` KMS key). */
export const MANIFEST_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * A manifest's signature, carried in the manifest object itself. Why inside and not a `.sig` object
 * beside it: manifest and signature are then written in one locked `PutObject`, so no crash or retry
 * can leave a manifest without its signature, and the next manifest's `previous.sha256` covers both.
 */
export const ManifestSignature = z.object({
  /** ARN of the KMS key that signed (as KMS `Sign` names it); informational, the verifier uses its own. */
  keyId: z.string().min(1),
  algorithm: z.literal(MANIFEST_SIGNING_ALGORITHM),
  /** KMS `Sign` over the SHA-256 of {@link canonicalManifestBytes} (`MessageType: DIGEST`), base64 DER. */
  value: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
});
/** @see ManifestSignature */
export type ManifestSignature = z.infer<typeof ManifestSignature>;

/**
 * The bytes a manifest's signature covers: the manifest as JSON without its `signature` field, object
 * keys sorted at every level, no whitespace. Why canonical and not the stored text: the signature is
 * made before the stored text exists (it is part of it). Computed from the raw JSON, not the parsed
 * schema, so a field the schema does not know is signed too and cannot be slipped in later.
 */
export function canonicalManifestBytes(manifest: unknown): Buffer {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new TypeError('a manifest is a JSON object');
  }
  const { signature: _signature, ...unsigned } = manifest as Record<string, unknown>;
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Signs a manifest (without a `signature` field) with the KMS key `keyId`: the private key never
 * leaves KMS, so whoever can write to the bucket cannot sign, and every signature is a logged
 * `kms:Sign` call (TRAPS 25).
 */
export async function signManifest(
  kms: KMSClient,
  keyId: string,
  manifest: object,
): Promise<ManifestSignature> {
  const output = await kms.send(
    new SignCommand({
      KeyId: keyId,
      Message: Buffer.from(sha256(canonicalManifestBytes(manifest)).hex, 'hex'),
      MessageType: 'DIGEST',
      SigningAlgorithm: MANIFEST_SIGNING_ALGORITHM,
    }),
  );
  if (!output.Signature) throw new Error(`KMS Sign with ${keyId} returned no signature`);
  return {
    keyId: output.KeyId ?? keyId,
    algorithm: MANIFEST_SIGNING_ALGORITHM,
    value: Buffer.from(output.Signature).toString('base64'),
  };
}

/** What the verifier found for one manifest's signature. */
export type SignatureStatus = 'valid' | 'unsigned' | 'invalid';

/** The signature check of one manifest: `reason` says what is wrong, for a person. */
export interface SignatureCheck {
  readonly status: SignatureStatus;
  readonly reason: string | null;
}

/**
 * Checks a manifest's signature with KMS `Verify` against `keyId`, the key the verifier is configured
 * with, never the key the manifest names (a forger names whatever key it likes). Why KMS `Verify` and
 * not `GetPublicKey` with a local check: KMS answers for the configured key itself (an alias or ARN,
 * resolved by KMS), every check is logged, and the check is the one the emulator implements
 * consistently (moto 5.2.5 signs a `DIGEST` message hashed once more, which only its own `Verify`
 * accepts). Errors other than an invalid signature (access denied, no such key) are thrown: the
 * verifier cannot say anything about the evidence then.
 */
export async function checkManifestSignature(
  kms: KMSClient,
  keyId: string,
  manifest: Record<string, unknown>,
): Promise<SignatureCheck> {
  if (manifest.signature === undefined || manifest.signature === null) {
    return { status: 'unsigned', reason: 'unsigned: the manifest carries no signature' };
  }
  const parsed = ManifestSignature.safeParse(manifest.signature);
  if (!parsed.success) return { status: 'invalid', reason: 'signature is malformed' };
  const signature = parsed.data;
  const named = signature.keyId === keyId ? '' : ` (the manifest names key ${signature.keyId})`;
  let valid: boolean;
  try {
    const output = await kms.send(
      new VerifyCommand({
        KeyId: keyId,
        Message: Buffer.from(sha256(canonicalManifestBytes(manifest)).hex, 'hex'),
        MessageType: 'DIGEST',
        Signature: Buffer.from(signature.value, 'base64'),
        SigningAlgorithm: signature.algorithm,
      }),
    );
    valid = output.SignatureValid === true;
  } catch (error: unknown) {
    // KMS answers an invalid signature with this error; the emulator answers SignatureValid: false.
    if (errorName(error) !== 'KMSInvalidSignatureException') throw error;
    valid = false;
  }
  return valid
    ? { status: 'valid', reason: null }
    : { status: 'invalid', reason: `signature does not verify with the signing key ${keyId}${named}` };
}
