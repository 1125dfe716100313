import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizationCodeLogin,
  DEMO_OPERATORS,
  LOCAL_IDP_CLIENTS,
  type LocalIdentityProvider,
  startIdentityProvider,
} from '../../src/index.js';

/**
 * The console's sign-in against the real oidc-provider: authorization code with PKCE, driven as a
 * browser would (redirects followed by hand, the sign-in page's form submitted), no mocks.
 */
describe('startIdentityProvider: the console client (authorization code with PKCE)', () => {
  // The console is served by the coordinator; nothing listens here, the callback is only read.
  const redirectUri = 'http://127.0.0.1:9/console/callback';
  const consoleOrigin = 'http://127.0.0.1:9';
  let idp: LocalIdentityProvider;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const login = (
    operator: keyof typeof DEMO_OPERATORS,
    options: { offline?: boolean; withoutPkce?: boolean } = {},
  ) =>
    authorizationCodeLogin({
      issuer: idp.issuer,
      clientId: LOCAL_IDP_CLIENTS.console,
      redirectUri,
      operator: DEMO_OPERATORS[operator],
      ...options,
    });

  beforeAll(async () => {
    idp = await startIdentityProvider({ consoleRedirectUris: [redirectUri] });
    jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`), { cooldownDuration: 0 });
  });
  afterAll(async () => idp.stop());

  it('signs a demo operator in and issues a JWT access token for the API audience with their groups', async () => {
    // Act
    const { callback, state, tokens, tokenResponse } = await login('approver');
    // Assess: the callback carries the state and the issuer (RFC 9207), the token the operator.
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const { payload, protectedHeader } = await jwtVerify(tokens?.access_token ?? '', jwks, {
      issuer: idp.issuer,
      audience: idp.audience,
    });
    const operator = DEMO_OPERATORS.approver;
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: operator.subject,
      name: operator.name,
      email: operator.email,
      groups: [...operator.groups],
      client_id: LOCAL_IDP_CLIENTS.console,
    });
    // A browser on the console's origin may read the answer.
    expect(tokenResponse?.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
  });

  it('gives each operator their own groups (a viewer is a viewer)', async () => {
    const { tokens } = await login('viewer');
    const { payload } = await jwtVerify(tokens?.access_token ?? '', jwks, { audience: idp.audience });
    expect(payload).toMatchObject({ sub: DEMO_OPERATORS.viewer.subject, groups: ['staff', 'ir-viewers'] });
  });

  it('refuses an authorization request without PKCE', async () => {
    // Act
    const { callback } = await login('approver', { withoutPkce: true });
    // Assess
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/i);
  });

  it('refuses a code exchanged with the wrong verifier', async () => {
    // Prepare: a code, not exchanged yet.
    const { callback, tokens } = await authorizationCodeLogin({
      issuer: idp.issuer,
      clientId: LOCAL_IDP_CLIENTS.console,
      redirectUri,
      operator: DEMO_OPERATORS.approver,
      exchange: false,
    });
    expect(tokens).toBeUndefined();
    // Act
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        client_id: LOCAL_IDP_CLIENTS.console,
        code_verifier: 'x'.repeat(43),
      }),
    });
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('lets only the console origin call the token endpoint from a browser', async () => {
    // Act: a refresh (any token request) from another origin.
    const { tokens } = await login('responder', { offline: true });
    const foreign = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example.test' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens?.refresh_token ?? '',
        client_id: LOCAL_IDP_CLIENTS.console,
      }),
    });
    // Assess
    expect(foreign.ok).toBe(false);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refreshes the access token (offline_access), still a JWT for the API audience', async () => {
    // Prepare
    const { tokens } = await login('responder', { offline: true });
    expect(tokens?.refresh_token).toBeTruthy();
    // Act
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: consoleOrigin },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens?.refresh_token ?? '',
        client_id: LOCAL_IDP_CLIENTS.console,
      }),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(consoleOrigin);
    const refreshed = (await response.json()) as { access_token: string; refresh_token?: string };
    const { payload } = await jwtVerify(refreshed.access_token, jwks, { audience: idp.audience });
    expect(payload).toMatchObject({
      sub: DEMO_OPERATORS.responder.subject,
      groups: ['staff', 'ir-responders'],
    });
    // Public clients' refresh tokens rotate.
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens?.refresh_token);
  });

  it('refuses a redirect URI that is not registered, without redirecting to it', async () => {
    const url = new URL(`${idp.issuer}/auth`);
    for (const [name, value] of Object.entries({
      client_id: LOCAL_IDP_CLIENTS.console,
      response_type: 'code',
      redirect_uri: 'http://evil.example.test/console/callback',
      scope: 'openid ir:operator',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(name, value);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('has no console client unless redirect URIs are given', async () => {
    const plain = await startIdentityProvider();
    try {
      const response = await fetch(
        `${plain.issuer}/auth?client_id=${LOCAL_IDP_CLIENTS.console}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    } finally {
      await plain.stop();
    }
  });
});
