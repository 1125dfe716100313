import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_OPERATORS,
  type LocalIdentityProvider,
  OTHER_API_AUDIENCE,
  startIdentityProvider,
} from '../../src/index.js';

describe('startIdentityProvider (oidc-provider on 127.0.0.1)', () => {
  let idp: LocalIdentityProvider;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
      grant_types_supported: string[];
    };
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    jwks = createRemoteJWKSet(new URL(discovery.jwks_uri), { cooldownDuration: 0 });
  });
  afterAll(async () => idp.stop());

  it('issues each demo operator a JWT access token for the API audience through the device-code flow', async () => {
    for (const name of ['approver', 'secondApprover', 'responder', 'viewer'] as const) {
      // Act
      const token = await idp.operatorToken(name);
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: idp.issuer,
        audience: idp.audience,
      });
      // Assess
      const operator = DEMO_OPERATORS[name];
      expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      expect(payload).toMatchObject({
        sub: operator.subject,
        name: operator.name,
        email: operator.email,
        groups: [...operator.groups],
        client_id: 'irctl',
      });
    }
  });

  it('issues client-credentials tokens, for another audience on request, and short-lived ones', async () => {
    // Act
    const automation = await jwtVerify(await idp.clientToken('automation'), jwks, { audience: idp.audience });
    const other = await jwtVerify(
      await idp.clientToken('automation', { resource: OTHER_API_AUDIENCE }),
      jwks,
      {
        audience: OTHER_API_AUDIENCE,
      },
    );
    // Verified as of its issue time: it lives one second, which a loaded CI machine can outlast
    // between issue and check (its lifetime is what the last assertion is about).
    const shortToken = await idp.clientToken('shortLived');
    const short = await jwtVerify(shortToken, jwks, {
      audience: idp.audience,
      currentDate: new Date((decodeJwt(shortToken).iat ?? 0) * 1000),
    });
    // Assess
    expect(automation.payload).toMatchObject({ sub: 'ir-automation', groups: ['ir-responders'] });
    expect(other.payload.aud).toBe(OTHER_API_AUDIENCE);
    expect((short.payload.exp ?? 0) - (short.payload.iat ?? 0)).toBe(1);
  });

  it('generates its secrets at start: two providers share no client secret or key', async () => {
    // Prepare
    const second = await startIdentityProvider();
    try {
      // Assess
      expect(second.clientSecrets.automation).not.toBe(idp.clientSecrets.automation);
      expect(second.keyIds[0]).not.toBe(idp.keyIds[0]);
      expect(second.issuer).not.toBe(idp.issuer);
    } finally {
      await second.stop();
    }
  });

  it('rotates its signing key and keeps publishing the old one', async () => {
    // Prepare
    const before = await idp.operatorToken('viewer');
    // Act
    const kid = await idp.rotateSigningKey();
    const after = await idp.operatorToken('viewer');
    const published = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    // Assess
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(published.keys.map((key) => key.kid)).toEqual(idp.keyIds);
    expect(idp.keyIds).toContain(decodeProtectedHeader(before).kid);
    await expect(jwtVerify(before, jwks, { audience: idp.audience })).resolves.toBeDefined();
    await expect(jwtVerify(after, jwks, { audience: idp.audience })).resolves.toBeDefined();
  });
});
