import { operatorApi } from '@ir/contracts';
import { createLogger } from '@ir/runtime';
import { freePort, type LocalIdentityProvider, startIdentityProvider } from '@ir/testkit';
import Fastify from 'fastify';
import { decodeJwt, decodeProtectedHeader, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actorLabel,
  type Authenticator,
  authorize,
  LOCAL_DEV_IDENTITY,
  staticTokenAuthenticator,
} from '../../src/api/auth.js';
import { type OidcAuthConfig, oidcAuthenticator, roleFromClaims } from '../../src/api/oidc-authenticator.js';

const roleMap = { 'ir-viewers': 'viewer', 'ir-approvers': 'approver', 'ir-responders': 'responder' } as const;
const logger = createLogger({ service: 'test', level: 'silent' });

function oidcConfig(issuer: string, audience: string): OidcAuthConfig {
  return {
    mode: 'oidc',
    issuer,
    audience,
    rolesClaim: 'groups',
    roleMap,
    clockToleranceSeconds: 60,
    algorithms: ['RS256'],
    jwksCooldownSeconds: 30,
    jwksCacheSeconds: 600,
  };
}

/** A fastify app with the hook and one read and one approver route of the contract. */
async function appWith(authenticator: Authenticator) {
  const app = Fastify();
  app.addHook('onRequest', authorize(authenticator, logger));
  app.get(operatorApi.getIncident.url, async () => ({ ok: true }));
  app.post(operatorApi.approveStep.url, async () => ({ ok: true }));
  app.post('/incidents/:id/undeclared', async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('roleFromClaims', () => {
  it('gives the highest role any group maps to, reads nested claims, and ignores unmapped groups', () => {
    // Act / Assess
    expect(roleFromClaims({ groups: ['staff', 'ir-viewers', 'ir-approvers'] }, 'groups', roleMap)).toBe(
      'approver',
    );
    expect(roleFromClaims({ realm: { roles: 'ir-responders' } }, 'realm.roles', roleMap)).toBe('responder');
    expect(
      roleFromClaims({ groups: ['staff', 'constructor', '__proto__'] }, 'groups', roleMap),
    ).toBeUndefined();
    expect(roleFromClaims({}, 'groups', roleMap)).toBeUndefined();
  });
});

describe('actorLabel', () => {
  it('names the person by name and email, else what the token has', () => {
    expect(actorLabel({ issuer: 'i', subject: 's', name: 'Alice', email: 'a@x.test' })).toBe(
      'Alice <a@x.test>',
    );
    expect(actorLabel({ issuer: 'i', subject: 's', email: 'a@x.test' })).toBe('a@x.test');
    expect(actorLabel({ issuer: 'i', subject: 's' })).toBe('s');
    expect(actorLabel(LOCAL_DEV_IDENTITY)).toBe('local development token (not a person)');
  });
});

describe('authorize', () => {
  it('answers 401 with a challenge, 403 below the route role or on a route without one, and lets the rest through', async () => {
    // Prepare
    const app = await appWith(staticTokenAuthenticator('a-token-of-enough-length'));
    const bearer = { authorization: 'Bearer a-token-of-enough-length' };
    // Act
    const missing = await app.inject({ method: 'GET', url: '/incidents/i-1' });
    const wrong = await app.inject({
      method: 'GET',
      url: '/incidents/i-1',
      headers: { authorization: 'Bearer nope' },
    });
    const basic = await app.inject({
      method: 'GET',
      url: '/incidents/i-1',
      headers: { authorization: 'Basic eDp5' },
    });
    const read = await app.inject({ method: 'GET', url: '/incidents/i-1', headers: bearer });
    const approve = await app.inject({
      method: 'POST',
      url: '/incidents/i-1/steps/s/approve',
      headers: bearer,
    });
    const undeclared = await app.inject({
      method: 'POST',
      url: '/incidents/i-1/undeclared',
      headers: bearer,
    });
    // Assess
    for (const refused of [missing, wrong, basic]) {
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="incident-response"/);
    }
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(read.statusCode).toBe(200);
    // The static token is admin: it may approve.
    expect(approve.statusCode).toBe(200);
    expect(undeclared.statusCode).toBe(403);
    await app.close();
  });

  it('answers 503, not 401, when the identity provider cannot be reached', async () => {
    // Prepare: nothing listens on this port.
    const port = await freePort();
    const app = await appWith(oidcAuthenticator(oidcConfig(`http://127.0.0.1:${port}`, 'urn:x')));
    // Act
    const response = await app.inject({
      method: 'GET',
      url: '/incidents/i-1',
      headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' },
    });
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: 'unavailable' });
    await app.close();
  });
});

describe('oidcAuthenticator (against the local oidc-provider)', () => {
  let idp: LocalIdentityProvider;
  beforeAll(async () => {
    idp = await startIdentityProvider();
  });
  afterAll(async () => idp.stop());

  it('turns an access token into the identity and role it proves', async () => {
    // Prepare
    const authenticator = oidcAuthenticator(oidcConfig(idp.issuer, idp.audience));
    const token = await idp.operatorToken('approver');
    // Act
    const principal = await authenticator.authenticate(token);
    const machine = await authenticator.authenticate(await idp.clientToken('automation'));
    // Assess
    expect(principal).toEqual({
      identity: {
        issuer: idp.issuer,
        subject: 'op-alice',
        name: 'Alice Approver',
        email: 'alice@ir.example.test',
      },
      role: 'approver',
    });
    expect(machine).toEqual({
      identity: { issuer: idp.issuer, subject: 'ir-automation' },
      role: 'responder',
    });
  });

  it('refuses to trust a discovery document that names another issuer', async () => {
    // Prepare: the same provider, configured with a trailing slash its tokens do not carry.
    const authenticator = oidcAuthenticator(oidcConfig(`${idp.issuer}/`, idp.audience));
    // Act / Assess
    await expect(authenticator.authenticate(await idp.operatorToken('viewer'))).rejects.toMatchObject({
      name: 'IdentityProviderUnavailableError',
      message: expect.stringContaining('names issuer'),
    });
  });

  it("refuses an HS256 token keyed with the issuer's public key (algorithm confusion)", async () => {
    // Prepare: the classic forgery: claims of a genuine token, re-signed with HMAC under the bytes of
    // the public key a verifier fetches, with the genuine key id.
    const authenticator = oidcAuthenticator(oidcConfig(idp.issuer, idp.audience));
    const genuine = await idp.operatorToken('viewer');
    const { kid } = decodeProtectedHeader(genuine);
    const published = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: JWK[] };
    const publicKey = published.keys.find((key) => key.kid === kid);
    expect(publicKey?.n).toBeTruthy();
    const forged = await new SignJWT({ ...decodeJwt(genuine), groups: ['ir-approvers'] })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: String(kid) })
      .sign(new TextEncoder().encode(JSON.stringify(publicKey)));
    // Act / Assess
    await expect(authenticator.authenticate(forged)).rejects.toMatchObject({ name: 'AuthenticationError' });
    await expect(authenticator.authenticate(genuine)).resolves.toMatchObject({ role: 'viewer' });
  });

  it('accepts a token just past its expiry within the clock tolerance, and refuses it without one', async () => {
    // Prepare: the short-lived client's tokens live one second.
    const tolerant = oidcAuthenticator(oidcConfig(idp.issuer, idp.audience));
    const strict = oidcAuthenticator({ ...oidcConfig(idp.issuer, idp.audience), clockToleranceSeconds: 0 });
    const token = await idp.clientToken('shortLived');
    const { exp } = decodeJwt(token);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (Number(exp) + 1) * 1000 - Date.now())));
    // Act / Assess: 1-2 s past "exp", inside the 60 s tolerance only.
    await expect(tolerant.authenticate(token)).resolves.toMatchObject({ role: 'approver' });
    await expect(strict.authenticate(token)).rejects.toMatchObject({
      name: 'AuthenticationError',
      message: expect.stringContaining('"exp" claim'),
    });
  });

  it('refuses an algorithm it does not allow, even with a valid signature', async () => {
    // Prepare
    const authenticator = oidcAuthenticator({
      ...oidcConfig(idp.issuer, idp.audience),
      algorithms: ['ES256'],
    });
    // Act / Assess
    await expect(authenticator.authenticate(await idp.operatorToken('viewer'))).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
  });
});
