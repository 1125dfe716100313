import { createHash, randomBytes } from 'node:crypto';
import { TestkitError } from '../errors.js';
import type { DemoOperator } from './demo-operators.js';
import { CookieJar, form } from './device-login.js';

/** What {@link authorizationCodeLogin} asks for. */
export interface AuthorizationCodeLogin {
  readonly issuer: string;
  readonly clientId: string;
  /** One of the client's registered redirect URIs; it is never fetched (the browser would open it). */
  readonly redirectUri: string;
  readonly operator: DemoOperator;
  /** The audience of the access token (resource indicator); the provider's default when absent. */
  readonly resource?: string;
  /** Ask for a refresh token too (`offline_access`, with `prompt=consent` as the provider requires). */
  readonly offline?: boolean;
  /** Leave `code_challenge` out of the authorization request (to see PKCE refused). */
  readonly withoutPkce?: boolean;
  /** Exchange the code for tokens (default true); false stops at the callback. */
  readonly exchange?: boolean;
}

/** The outcome of {@link authorizationCodeLogin}. */
export interface AuthorizationCodeResult {
  /** Where the provider sent the browser back: the redirect URI with `code`, `state`, `iss` (or `error`). */
  readonly callback: URL;
  /** The PKCE verifier and state the login used, for tests that exchange the code themselves. */
  readonly codeVerifier: string;
  readonly state: string;
  /** The token endpoint's answer to the exchange (sent with the redirect URI's `Origin`, as a browser would). */
  readonly tokenResponse?: Response;
  readonly tokens?: {
    readonly access_token: string;
    readonly id_token?: string;
    readonly refresh_token?: string;
    readonly token_type: string;
    readonly expires_in: number;
  };
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * A sign-in through the authorization code flow with PKCE (RFC 7636, S256), as the console's browser
 * does it: the authorization request with a fresh verifier's challenge and a state, the provider's
 * sign-in page (pick `operator`), its consent, the redirect back to `redirectUri` (read from the
 * `Location`, not fetched), then the code exchanged at the token endpoint with the verifier, from the
 * redirect URI's origin. The exchange is skipped when the callback carries an error or `exchange` is false.
 */
export async function authorizationCodeLogin(
  login: AuthorizationCodeLogin,
): Promise<AuthorizationCodeResult> {
  const { issuer, clientId, redirectUri, operator } = login;
  const codeVerifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const authorization = new URL(`${issuer}/auth`);
  const params: Record<string, string> = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: login.offline
      ? 'openid profile email offline_access ir:operator'
      : 'openid profile email ir:operator',
    state,
    ...(login.withoutPkce
      ? {}
      : {
          code_challenge: base64url(createHash('sha256').update(codeVerifier).digest()),
          code_challenge_method: 'S256',
        }),
    ...(login.resource ? { resource: login.resource } : {}),
    ...(login.offline ? { prompt: 'consent' } : {}),
  };
  for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);

  const jar = new CookieJar();
  let response = await jar.fetch(authorization.href);
  let callback: URL | undefined;
  for (let hops = 0; !callback; hops += 1) {
    if (hops > 12) throw new TestkitError('too many redirects in the authorization code flow');
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location') ?? '', issuer);
      await response.body?.cancel();
      if (location.href.startsWith(redirectUri)) {
        callback = location;
        break;
      }
      response = await jar.fetch(location.href);
      continue;
    }
    const html = await response.text();
    // The sign-in page: a form whose buttons are the demo operators.
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!response.ok || !action) {
      throw new TestkitError(
        `the provider answered ${response.status} in the code flow: ${html.slice(0, 300)}`,
      );
    }
    response = await jar.fetch(new URL(action, issuer).href, form({ login: operator.subject }));
  }
  if (callback.searchParams.get('error') || login.exchange === false)
    return { callback, codeVerifier, state };

  const code = callback.searchParams.get('code');
  if (!code) throw new TestkitError(`no code in the callback ${callback.href}`);
  const tokenResponse = await fetch(`${issuer}/token`, {
    ...form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: codeVerifier,
      ...(login.resource ? { resource: login.resource } : {}),
    }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(redirectUri).origin },
  });
  const tokens = (await tokenResponse.clone().json()) as AuthorizationCodeResult['tokens'] & {
    error?: string;
  };
  if (!tokenResponse.ok || !tokens?.access_token) {
    throw new TestkitError(`the code exchange was refused: ${JSON.stringify(tokens)}`);
  }
  return { callback, codeVerifier, state, tokenResponse, tokens };
}
