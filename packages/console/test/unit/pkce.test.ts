import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, codeChallengeS256, newCodeVerifier } from '../../src/auth/pkce.js';

describe('PKCE (RFC 7636)', () => {
  it('derives the S256 challenge of the RFC 7636 Appendix B example', async () => {
    // Prepare: the verifier and challenge printed in RFC 7636, Appendix B.
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

    // Act
    const challenge = await codeChallengeS256(verifier);

    // Assess
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character unreserved verifiers, different each time', async () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => newCodeVerifier()));

    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(codeChallengeS256([...verifiers][0] ?? '')).resolves.toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a verifier RFC 7636 does not allow', async () => {
    await expect(codeChallengeS256('too-short')).rejects.toThrow(/43 to 128/);
    await expect(codeChallengeS256(`${'a'.repeat(43)}+`)).rejects.toThrow(/43 to 128/);
  });

  it('encodes base64url without padding and decodes it back', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);

    const encoded = base64UrlEncode(bytes);

    expect(encoded).toBe('-_-_AAE');
    expect([...base64UrlDecode(encoded)]).toEqual([...bytes]);
  });
});
