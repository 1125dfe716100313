/**
 * PKCE (RFC 7636) with the S256 method: the browser makes a one-time secret (the verifier), sends only
 * its SHA-256 (the challenge) with the authorization request, and proves it holds the verifier when it
 * redeems the code. Why: the console is a public client (no secret can be kept in a browser), so
 * PKCE is what stops an intercepted authorization code from being redeemed by someone else.
 */

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs use it. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url (with or without padding) to bytes. */
export function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * A random string of `bytes` bytes from the platform's CSPRNG, base64url-encoded: 32 bytes give the
 * 43 characters RFC 7636 recommends for a verifier (its allowed length is 43 to 128).
 */
export function randomToken(bytes = 32): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return base64UrlEncode(buffer);
}

/** A new code verifier (RFC 7636 §4.1). */
export function newCodeVerifier(): string {
  return randomToken(32);
}

/** The S256 code challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2). */
export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new Error('a PKCE code verifier is 43 to 128 unreserved characters (RFC 7636 §4.1)');
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}
