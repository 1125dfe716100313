import type { ConsoleConfig } from '../config.js';
import { codeChallengeS256, newCodeVerifier, randomToken } from './pkce.js';
import { type Session, sessionFromToken } from './session.js';

/** The parts of the provider's discovery document the console uses. */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

/**
 * The scopes asked for: `openid` (a sign-in), `profile` and `email` (the name the header and the
 * decisions show), and `ir:operator` (the operator API's scope). No `offline_access`: a browser tab
 * holds no refresh token; when the access token expires the person signs in again.
 */
export const SCOPES = 'openid profile email ir:operator';

/** Where the pending sign-in waits while the browser is at the identity provider (this tab only). */
const PENDING_KEY = 'ir.console.pending-sign-in';
/** Set by "Sign out": the next sign-in asks the provider for a fresh login, not its session. */
const SIGNED_OUT_KEY = 'ir.console.signed-out';

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly returnTo: string;
}

/** A sign-in that could not finish; `message` is for the person. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** The console's redirect URI: `<origin>/console/callback`, registered with the provider. */
export function redirectUri(origin = location.origin): string {
  return `${origin}/console/callback`;
}

/** Reads the provider's discovery document (`/.well-known/openid-configuration`) and checks its issuer. */
export async function discover(issuer: string): Promise<ProviderMetadata> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new SignInError(`the identity provider's discovery answered ${response.status}`);
  const metadata = (await response.json()) as Partial<ProviderMetadata>;
  if (metadata.issuer !== issuer) {
    throw new SignInError(`the identity provider calls itself ${metadata.issuer}, not ${issuer}`);
  }
  if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
    throw new SignInError('the identity provider publishes no authorization or token endpoint');
  }
  return metadata as ProviderMetadata;
}

/**
 * The authorization request URL (authorization code + PKCE S256). `resource` (RFC 8707) names the
 * operator API, so that the access token is a JWT for its audience. `prompt=login` after a sign-out,
 * so that a shared screen does not sign the previous person back in from the provider's session.
 */
export function authorizationUrl(
  metadata: ProviderMetadata,
  config: ConsoleConfig,
  request: { readonly state: string; readonly challenge: string; readonly redirectUri: string },
  forceLogin: boolean,
): string {
  const url = new URL(metadata.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: request.redirectUri,
    scope: SCOPES,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    resource: config.audience,
  };
  if (forceLogin) params.prompt = 'login';
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** Sends the browser to the identity provider; `returnTo` is the console path to come back to. */
export async function startSignIn(config: ConsoleConfig, returnTo: string): Promise<void> {
  const metadata = await discover(config.issuer);
  const pending: PendingSignIn = { state: randomToken(24), verifier: newCodeVerifier(), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const forceLogin = sessionStorage.getItem(SIGNED_OUT_KEY) !== null;
  const challenge = await codeChallengeS256(pending.verifier);
  location.assign(
    authorizationUrl(
      metadata,
      config,
      { state: pending.state, challenge, redirectUri: redirectUri() },
      forceLogin,
    ),
  );
}

/**
 * Finishes a sign-in at `/console/callback?code&state`: checks `state` against the pending sign-in
 * (a callback this tab did not start is refused), then redeems the code with the verifier. Returns the
 * session and the path to go back to. The pending sign-in is used once, whatever happens.
 */
export async function completeSignIn(
  config: ConsoleConfig,
  callback: URL,
): Promise<{ readonly session: Session; readonly returnTo: string }> {
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const params = callback.searchParams;
  const error = params.get('error');
  if (error) {
    throw new SignInError(`the identity provider refused: ${params.get('error_description') ?? error}`);
  }
  if (!stored) throw new SignInError('no sign-in was started in this tab; start again');
  const pending = JSON.parse(stored) as PendingSignIn;
  if (params.get('state') !== pending.state)
    throw new SignInError('the sign-in answer does not match its request');
  const iss = params.get('iss');
  if (iss !== null && iss !== config.issuer)
    throw new SignInError(`the answer came from ${iss}, not ${config.issuer}`);
  const code = params.get('code');
  if (!code) throw new SignInError('the identity provider sent no code');

  const metadata = await discover(config.issuer);
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.clientId,
      code_verifier: pending.verifier,
      resource: config.audience,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new SignInError(
      `the token request was refused: ${body.error_description ?? body.error ?? response.status}`,
    );
  }
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  return {
    session: sessionFromToken(body.access_token, config, body.expires_in),
    returnTo: pending.returnTo,
  };
}

/** Remembers a sign-out, so that the next sign-in asks the provider for a fresh login. */
export function markSignedOut(): void {
  sessionStorage.setItem(SIGNED_OUT_KEY, '1');
}
