import { stringOption } from '../args.js';
import type { CommandContext, ParsedArgs } from '../command.js';
import { ExitCode, LoginError, LoginRequiredError } from '../errors.js';
import { discover, type OidcClientSettings, refreshTokens } from './oidc.js';
import {
  type CachedLogin,
  loginKey,
  readTokenCache,
  type TokenCacheFile,
  tokenCachePath,
  writeTokenCache,
} from './token-cache.js';

/**
 * A cached token is not used in its last 30 seconds: the request and the coordinator's clock need
 * that much, and a token refused mid-command is worse than a refresh before it.
 */
export const EXPIRY_SKEW_MS = 30_000;

/** Where the token of an API call came from (whoami says it; it is never printed itself). */
export type TokenOrigin = 'flag' | 'environment' | 'cache' | 'refreshed';

/** A bearer token for the coordinator API and where it came from. */
export interface ApiToken {
  readonly token: string;
  readonly origin: TokenOrigin;
  /** The cache file, for a token from the cache. */
  readonly cachePath?: string;
}

const LOGIN_HINT = 'run irctl login (or set IR_API_TOKEN, or pass --token)';

/**
 * The token of an API command, in this order: `--token`, then IR_API_TOKEN, then the cached login
 * (the one for IR_OIDC_ISSUER and IR_OIDC_AUDIENCE when the issuer is set, else the last login) if it
 * is not within {@link EXPIRY_SKEW_MS} of expiring, refreshed with its refresh token if it is.
 * Otherwise a {@link LoginRequiredError} saying to run irctl login.
 */
export async function resolveApiToken(args: ParsedArgs, context: CommandContext): Promise<ApiToken> {
  const flag = stringOption(args, 'token')?.trim();
  if (flag) return { token: flag, origin: 'flag' };
  if (context.config.IR_API_TOKEN) return { token: context.config.IR_API_TOKEN, origin: 'environment' };
  const path = tokenCachePath(context.config);
  if (!path)
    throw new LoginRequiredError(
      `no token: neither HOME nor XDG_CONFIG_HOME is set to find a login; ${LOGIN_HINT}`,
    );
  const cache = await readTokenCache(path);
  const issuer = context.config.IR_OIDC_ISSUER?.replace(/\/+$/, '');
  const key = issuer ? loginKey(issuer, context.config.IR_OIDC_AUDIENCE) : cache?.current;
  const login = key ? cache?.logins[key] : undefined;
  if (!cache || !login) {
    const which = issuer
      ? ` for ${issuer}${context.config.IR_OIDC_AUDIENCE ? ` (audience ${context.config.IR_OIDC_AUDIENCE})` : ''}`
      : '';
    throw new LoginRequiredError(`not logged in${which}: ${LOGIN_HINT}`);
  }
  const now = context.now().getTime();
  if (!login.expiresAt || Date.parse(login.expiresAt) - EXPIRY_SKEW_MS > now) {
    return { token: login.accessToken, origin: 'cache', cachePath: path };
  }
  if (!login.refreshToken) {
    throw new LoginRequiredError(
      `the cached token for ${login.issuer} expired at ${login.expiresAt}: ${login.grant === 'client_credentials' ? 'run irctl login --client-credentials again' : LOGIN_HINT}`,
    );
  }
  const refreshed = await refreshLogin(login, context);
  const updated: TokenCacheFile = {
    ...cache,
    logins: { ...cache.logins, [loginKey(login.issuer, login.audience)]: refreshed },
  };
  await writeTokenCache(path, updated);
  return { token: refreshed.accessToken, origin: 'refreshed', cachePath: path };
}

/** A login with new tokens from its refresh token; a refused refresh means a new login. */
async function refreshLogin(login: CachedLogin, context: CommandContext): Promise<CachedLogin> {
  const settings: OidcClientSettings = {
    issuer: login.issuer,
    clientId: login.clientId,
    ...(login.audience ? { audience: login.audience } : {}),
    ...(login.scope ? { scope: login.scope } : {}),
    fetch: context.fetch,
  };
  const refreshToken = login.refreshToken ?? '';
  const metadata = await discover(login.issuer, context.fetch);
  const result = await refreshTokens(metadata, settings, refreshToken);
  if (!result.ok) {
    if (result.error === 'invalid_grant') {
      throw new LoginRequiredError(
        `the session at ${login.issuer} has ended (refresh refused): ${LOGIN_HINT}`,
      );
    }
    throw new LoginError(
      `refreshing the token at ${login.issuer} failed: ${result.error}`,
      ExitCode.unauthorized,
    );
  }
  return {
    ...login,
    accessToken: result.tokens.accessToken,
    // Providers that rotate refresh tokens send a new one; others keep the old one valid.
    refreshToken: result.tokens.refreshToken ?? refreshToken,
    expiresAt: result.tokens.expiresAt?.toISOString(),
    savedAt: context.now().toISOString(),
  };
}
