import { z } from 'zod';
import { isLoopback } from '../config.js';
import { ExitCode, LoginError, UsageError } from '../errors.js';
import { printable } from '../format/text.js';

/*
 * The OAuth 2.0 client side irctl needs, with fetch and nothing else: discovery (OpenID Connect
 * Discovery 1.0), the device authorization grant (RFC 8628), the client-credentials grant, and
 * refresh. Why not openid-client: four form posts do not justify a dependency in an operator tool,
 * and irctl never verifies tokens itself (the coordinator does).
 */

/** The grant of RFC 8628's token request. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Where irctl talks to one identity provider: the issuer, irctl's client id, and the API's audience. */
export interface OidcClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** The operator API's audience, sent as `resource` (RFC 8707); undefined: the provider's default. */
  readonly audience?: string;
  /** Space-separated scopes; undefined sends none. */
  readonly scope?: string;
  readonly fetch: typeof fetch;
}

/** The endpoints irctl reads from the provider's discovery document. */
export const ProviderMetadata = z.object({
  issuer: z.string(),
  token_endpoint: z.url(),
  device_authorization_endpoint: z.url().optional(),
  revocation_endpoint: z.url().optional(),
});
/** @see ProviderMetadata */
export type ProviderMetadata = z.infer<typeof ProviderMetadata>;

/** A successful token answer (RFC 6749 §5.1). */
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

/** An error answer (RFC 6749 §5.2). */
const ErrorAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

/** The device authorization answer (RFC 8628 §3.2). */
const DeviceAnswer = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.url(),
  verification_uri_complete: z.url().optional(),
  expires_in: z.coerce.number().positive(),
  interval: z.coerce.number().positive().optional(),
});

/** Tokens from a token endpoint, with the expiry as a time rather than a duration. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** From `expires_in` at receipt; undefined when the provider did not say. */
  readonly expiresAt?: Date;
  readonly scope?: string;
}

/** What the person must do to approve a device login. */
export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly expiresAt: Date;
  /** Seconds between polls; RFC 8628's default is 5. */
  readonly intervalSeconds: number;
}

/** One answer of the token endpoint: tokens, or an OAuth error code. */
export type TokenResult =
  | { readonly ok: true; readonly tokens: TokenSet }
  | { readonly ok: false; readonly error: string; readonly description?: string };

/**
 * Refuses an issuer that would carry tokens and secrets in clear text over a network: https, or
 * plain http on this machine only (the local identity provider of `pnpm dev`).
 */
export function checkIssuerUrl(issuer: string, command: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UsageError(`the issuer must be a URL, not ${JSON.stringify(issuer)}`, command);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new UsageError(
      `the issuer ${issuer} must use https (plain http only on 127.0.0.1 or localhost): tokens and secrets would cross the network unencrypted`,
      command,
    );
  }
  return issuer.replace(/\/+$/, '');
}

/** Reads `<issuer>/.well-known/openid-configuration` and checks it names the same issuer. */
export async function discover(issuer: string, fetchFn: typeof fetch): Promise<ProviderMetadata> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const body = await request(fetchFn, url, { headers: { accept: 'application/json' } });
  if (!body.ok) {
    throw new LoginError(`discovery at ${url} answered HTTP ${body.status}`, ExitCode.unavailable);
  }
  const parsed = ProviderMetadata.safeParse(body.json);
  if (!parsed.success) {
    throw new LoginError(`discovery at ${url} is not an OpenID provider configuration`, ExitCode.unavailable);
  }
  // Discovery §4.3: a document naming another issuer is not this issuer's; its tokens would not verify.
  if (parsed.data.issuer.replace(/\/+$/, '') !== issuer) {
    throw new LoginError(
      `discovery at ${url} names the issuer ${parsed.data.issuer}, not ${issuer}: use exactly the issuer the coordinator trusts`,
      ExitCode.usage,
    );
  }
  return parsed.data;
}

/** Starts a device login (RFC 8628 §3.1): the codes and where the person approves them. */
export async function startDeviceAuthorization(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  now: Date,
): Promise<DeviceAuthorization> {
  const endpoint = metadata.device_authorization_endpoint;
  if (!endpoint) {
    throw new LoginError(
      `${settings.issuer} offers no device authorization endpoint: enable the device flow for ${settings.clientId}, or use --client-credentials for automation`,
      ExitCode.usage,
    );
  }
  const answer = await request(settings.fetch, endpoint, formPost(clientFields(settings)));
  if (!answer.ok) throw refusal('device authorization', answer.json, answer.status);
  const parsed = DeviceAnswer.safeParse(answer.json);
  if (!parsed.success)
    throw new LoginError('the device authorization answer is malformed', ExitCode.unavailable);
  const device = parsed.data;
  return {
    deviceCode: device.device_code,
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    ...(device.verification_uri_complete
      ? { verificationUriComplete: device.verification_uri_complete }
      : {}),
    expiresAt: new Date(now.getTime() + device.expires_in * 1000),
    intervalSeconds: device.interval ?? 5,
  };
}

/** One device-code token request (RFC 8628 §3.4). */
export function deviceTokenRequest(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  deviceCode: string,
): Promise<TokenResult> {
  return tokenRequest(metadata, settings, {
    grant_type: DEVICE_CODE_GRANT,
    device_code: deviceCode,
    client_id: settings.clientId,
    ...(settings.audience ? { resource: settings.audience } : {}),
  });
}

/** Clock and wait of {@link pollDeviceToken}, injectable so its arithmetic can be tested without waiting. */
export interface PollTiming {
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Polls for the device login's tokens (RFC 8628 §3.5): waits `interval` between requests, adds 5 s
 * on `slow_down` (and keeps the larger interval), keeps waiting on `authorization_pending`, and stops
 * with a {@link LoginError} on `access_denied`, `expired_token`, any other error, or the code's
 * expiry.
 */
export async function pollDeviceToken(
  device: DeviceAuthorization,
  requestToken: () => Promise<TokenResult>,
  timing: PollTiming,
): Promise<TokenSet> {
  let interval = device.intervalSeconds;
  for (;;) {
    if (timing.now().getTime() >= device.expiresAt.getTime()) {
      throw new LoginError(
        'the code expired before the sign-in was completed: run irctl login again',
        ExitCode.failed,
      );
    }
    await timing.sleep(interval * 1000);
    const result = await requestToken();
    if (result.ok) return result.tokens;
    switch (result.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval += 5;
        continue;
      case 'access_denied':
        throw new LoginError('the sign-in was denied at the identity provider', ExitCode.unauthorized);
      case 'expired_token':
        throw new LoginError(
          'the code expired before the sign-in was completed: run irctl login again',
          ExitCode.failed,
        );
      default:
        throw new LoginError(
          describeRefusal('token request', result.error, result.description),
          ExitCode.unauthorized,
        );
    }
  }
}

/**
 * The client-credentials grant (RFC 6749 §4.4), authenticating with `client_secret_basic`. The
 * secret goes in the Authorization header only; it is neither cached nor printed.
 */
export async function clientCredentialsToken(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  clientSecret: string,
): Promise<TokenSet> {
  const result = await tokenRequest(
    metadata,
    settings,
    {
      grant_type: 'client_credentials',
      ...(settings.scope ? { scope: settings.scope } : {}),
      ...(settings.audience ? { resource: settings.audience } : {}),
    },
    basicAuthorization(settings.clientId, clientSecret),
  );
  if (!result.ok) {
    throw new LoginError(
      describeRefusal('client credentials', result.error, result.description),
      ExitCode.unauthorized,
    );
  }
  return result.tokens;
}

/** A refresh (RFC 6749 §6) of a public client's tokens, for the same audience. */
export function refreshTokens(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  refreshToken: string,
): Promise<TokenResult> {
  return tokenRequest(metadata, settings, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: settings.clientId,
    ...(settings.audience ? { resource: settings.audience } : {}),
  });
}

/**
 * Revokes a public client's refresh token (RFC 7009) where the provider offers revocation; true when
 * the provider confirmed it, false when it offers no revocation.
 */
export async function revokeRefreshToken(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  refreshToken: string,
): Promise<boolean> {
  if (!metadata.revocation_endpoint) return false;
  const answer = await request(
    settings.fetch,
    metadata.revocation_endpoint,
    formPost({ token: refreshToken, token_type_hint: 'refresh_token', client_id: settings.clientId }),
  );
  if (!answer.ok) throw refusal('revocation', answer.json, answer.status);
  return true;
}

/** The device authorization request's fields: client id, scope, resource. */
function clientFields(settings: OidcClientSettings): Record<string, string> {
  return {
    client_id: settings.clientId,
    ...(settings.scope ? { scope: settings.scope } : {}),
    ...(settings.audience ? { resource: settings.audience } : {}),
  };
}

async function tokenRequest(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  fields: Record<string, string>,
  authorization?: string,
): Promise<TokenResult> {
  const started = Date.now();
  const answer = await request(
    settings.fetch,
    metadata.token_endpoint,
    formPost(fields, authorization ? { authorization } : {}),
  );
  if (!answer.ok) {
    const error = ErrorAnswer.safeParse(answer.json);
    if (error.success) {
      return {
        ok: false,
        error: error.data.error,
        ...(error.data.error_description ? { description: error.data.error_description } : {}),
      };
    }
    throw new LoginError(`the token endpoint answered HTTP ${answer.status}`, ExitCode.unavailable);
  }
  const parsed = TokenAnswer.safeParse(answer.json);
  if (!parsed.success)
    throw new LoginError('the token endpoint answered without an access token', ExitCode.unavailable);
  const tokens = parsed.data;
  return {
    ok: true,
    tokens: {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      // From when the request was sent: a slow answer errs on the side of an earlier expiry.
      ...(tokens.expires_in ? { expiresAt: new Date(started + tokens.expires_in * 1000) } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
    },
  };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

function formPost(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(fields),
  };
}

/** A request whose body is read as JSON; unreachable is a {@link LoginError} with exit 5. */
async function request(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
): Promise<{ ok: boolean; status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error: unknown) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    throw new LoginError(
      `could not reach the identity provider at ${url}: ${error instanceof Error ? error.message : String(error)}${cause}`,
      ExitCode.unavailable,
      { cause: error },
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { ok: response.ok, status: response.status, json };
}

function refusal(what: string, body: unknown, status: number): LoginError {
  const error = ErrorAnswer.safeParse(body);
  return error.success
    ? new LoginError(
        describeRefusal(what, error.data.error, error.data.error_description),
        ExitCode.unauthorized,
      )
    : new LoginError(`${what}: the identity provider answered HTTP ${status}`, ExitCode.unavailable);
}

/** The provider's words are shown, never obeyed: control characters are escaped for the terminal. */
function describeRefusal(what: string, error: string, description: string | undefined): string {
  return `${what} refused by the identity provider: ${printable(error)}${description ? ` (${printable(description)})` : ''}`;
}
