import { createHash } from 'node:crypto';

/** SHA-256 of some bytes, as hex (for manifests and people) and base64 (for S3's checksum header). */
export interface Sha256 {
  readonly hex: string;
  readonly base64: string;
}

/**
 * Hashes bytes in this process. Why here and not on the host: a hash computed by a compromised host
 * proves nothing (TRAPS 12); only bytes the service itself read are hashed.
 */
export function sha256(bytes: Uint8Array | string): Sha256 {
  const digest = createHash('sha256').update(bytes).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

/** S3 reports checksums in base64; manifests carry hex. */
export function base64ToHex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}
