import { decodeJwt, type JWTPayload } from 'jose';
import { API_OPTIONS, stringOption } from '../args.js';
import {
  checkIssuerUrl,
  clientCredentialsToken,
  type DeviceAuthorization,
  deviceTokenRequest,
  discover,
  type OidcClientSettings,
  type ProviderMetadata,
  pollDeviceToken,
  revokeRefreshToken,
  startDeviceAuthorization,
  type TokenSet,
} from '../auth/oidc.js';
import {
  type CachedLogin,
  loginKey,
  readTokenCache,
  removeTokenCache,
  tokenCachePath,
  writeTokenCache,
} from '../auth/token-cache.js';
import { resolveApiToken } from '../auth/token-source.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { ConfigurationError, ExitCode, TokenCacheError, UsageError } from '../errors.js';
import { printable, toJson } from '../format/text.js';

/** The device flow's client id when neither `--client-id` nor IR_OIDC_CLIENT_ID says otherwise. */
export const DEFAULT_CLI_CLIENT_ID = 'irctl';
/** The device flow's scopes by default: an ID token's subject, and a refresh token. */
export const DEFAULT_DEVICE_SCOPE = 'openid offline_access';

/** The claims of a JWT, read without verifying it; undefined for an opaque token. */
export function unverifiedClaims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function cachePathOf(context: CommandContext): string {
  const path = tokenCachePath(context.config);
  if (path) return path;
  throw new ConfigurationError(
    'neither XDG_CONFIG_HOME nor HOME is set: irctl has nowhere to keep its login',
    ['XDG_CONFIG_HOME', 'HOME'],
  );
}

/** `irctl login`: the device flow for people, client credentials for automation; the tokens are cached. */
export const loginCommand: CommandSpec = {
  name: 'login',
  summary: 'sign in at the identity provider and cache the token for the other commands',
  positionals: [],
  options: {
    issuer: {
      type: 'string',
      valueName: '<url>',
      help: 'the OIDC issuer (default IR_OIDC_ISSUER, else that of the last login)',
    },
    'client-id': {
      type: 'string',
      valueName: '<id>',
      help: `irctl's client id at the issuer (default IR_OIDC_CLIENT_ID, else ${DEFAULT_CLI_CLIENT_ID})`,
    },
    audience: {
      type: 'string',
      valueName: '<uri>',
      help: "the operator API's audience, sent as resource indicator (default IR_OIDC_AUDIENCE)",
    },
    scope: {
      type: 'string',
      valueName: '<scopes>',
      help: `scopes to ask for (default IR_OIDC_SCOPE, else "${DEFAULT_DEVICE_SCOPE}"; none for client credentials)`,
    },
    'client-credentials': {
      type: 'boolean',
      help: 'automation: the client-credentials grant with the secret in IR_OIDC_CLIENT_SECRET',
    },
    'client-secret-stdin': {
      type: 'boolean',
      help: 'with --client-credentials: read the client secret from standard input instead',
    },
  },
  details: [
    'A person signs in with the device flow (RFC 8628): irctl prints a URL and a code, you open the URL',
    'in any browser, check the code and sign in; irctl waits until you have. Automation uses the',
    'client-credentials grant: the secret comes from IR_OIDC_CLIENT_SECRET or, with',
    '--client-secret-stdin, standard input; never from an option, which would land in shell history.',
    'The tokens are cached in $XDG_CONFIG_HOME/irctl/tokens.json (else ~/.config/irctl/tokens.json),',
    'mode 600, one login per issuer and audience; API commands use the last login (or the one for',
    'IR_OIDC_ISSUER), refreshing it when it expires. The issuer must be https (http on 127.0.0.1 only).',
  ],
  async run(args, context) {
    const path = cachePathOf(context);
    const cache = await readTokenCache(path);
    const last = cache?.current ? cache.logins[cache.current] : undefined;
    const clientCredentials = args.values['client-credentials'] === true;
    if (args.values['client-secret-stdin'] === true && !clientCredentials) {
      throw new UsageError('--client-secret-stdin goes with --client-credentials', 'login');
    }
    const issuerText = stringOption(args, 'issuer') ?? context.config.IR_OIDC_ISSUER ?? last?.issuer;
    if (!issuerText) {
      throw new UsageError('which identity provider? pass --issuer <url> or set IR_OIDC_ISSUER', 'login');
    }
    const issuer = checkIssuerUrl(issuerText, 'login');
    // Another login's settings are only reused for the same issuer; never mixed with a new one.
    const previous = last?.issuer === issuer ? last : undefined;
    const clientId =
      stringOption(args, 'client-id') ??
      context.config.IR_OIDC_CLIENT_ID ??
      (clientCredentials ? undefined : (previous?.clientId ?? DEFAULT_CLI_CLIENT_ID));
    if (!clientId) {
      throw new UsageError(
        '--client-credentials needs the client id: --client-id or IR_OIDC_CLIENT_ID',
        'login',
      );
    }
    const audience = stringOption(args, 'audience') ?? context.config.IR_OIDC_AUDIENCE ?? previous?.audience;
    const scope =
      stringOption(args, 'scope') ??
      context.config.IR_OIDC_SCOPE ??
      (clientCredentials ? undefined : (previous?.scope ?? DEFAULT_DEVICE_SCOPE));
    const settings: OidcClientSettings = {
      issuer,
      clientId,
      ...(audience ? { audience } : {}),
      ...(scope ? { scope } : {}),
      fetch: context.fetch,
    };
    const secret = clientCredentials
      ? await clientSecret(args.values['client-secret-stdin'] === true, context)
      : '';
    const metadata = await discover(issuer, context.fetch);
    const tokens = clientCredentials
      ? await clientCredentialsToken(metadata, settings, secret)
      : await deviceLogin(metadata, settings, context);
    const login: CachedLogin = {
      issuer,
      ...(audience ? { audience } : {}),
      clientId,
      grant: clientCredentials ? 'client_credentials' : 'device_code',
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt.toISOString() } : {}),
      ...(scope ? { scope } : {}),
      savedAt: context.now().toISOString(),
    };
    const key = loginKey(issuer, audience);
    // Read again: a long device login may have raced another irctl; keep what it wrote.
    const latest = (await readTokenCache(path)) ?? { version: 1 as const, logins: {} };
    await writeTokenCache(path, { version: 1, current: key, logins: { ...latest.logins, [key]: login } });
    const claims = unverifiedClaims(tokens.accessToken);
    const who = describeSubject(claims);
    if (args.values.json === true) {
      context.out(
        toJson({
          issuer,
          audience: audience ?? null,
          clientId,
          grant: login.grant,
          subject: claims?.sub ?? null,
          name: typeof claims?.name === 'string' ? claims.name : null,
          expiresAt: login.expiresAt ?? null,
          refreshable: Boolean(login.refreshToken),
          cachePath: path,
        }),
      );
      return ExitCode.ok;
    }
    context.out(
      `logged in to ${issuer} as ${who}; token valid until ${login.expiresAt ?? 'the provider did not say'}${login.refreshToken ? ' (refreshed when it expires)' : ''}`,
    );
    context.out(`cached in ${path} (mode 600)`);
    return ExitCode.ok;
  },
};

/** The device flow: ask for codes, tell the person where to go, wait until they have signed in. */
async function deviceLogin(
  metadata: ProviderMetadata,
  settings: OidcClientSettings,
  context: CommandContext,
): Promise<TokenSet> {
  const device: DeviceAuthorization = await startDeviceAuthorization(metadata, settings, context.now());
  // The person's part goes to standard error: standard output stays the command's result.
  if (device.verificationUriComplete) {
    context.err(`To sign in, open ${printable(device.verificationUriComplete)} in a browser`);
    context.err(`and check that it shows the code ${printable(device.userCode)}.`);
  } else {
    context.err(`To sign in, open ${printable(device.verificationUri)} in a browser`);
    context.err(`and enter the code ${printable(device.userCode)}.`);
  }
  context.err(
    `Waiting for you to sign in (the code expires at ${device.expiresAt.toISOString()}; Ctrl-C gives up)…`,
  );
  return pollDeviceToken(device, () => deviceTokenRequest(metadata, settings, device.deviceCode), {
    now: context.now,
    sleep: context.sleep,
  });
}

/** The client secret from IR_OIDC_CLIENT_SECRET, or from standard input with `--client-secret-stdin`. */
async function clientSecret(fromStdin: boolean, context: CommandContext): Promise<string> {
  const secret = fromStdin ? (await context.readStdin()).trim() : context.config.IR_OIDC_CLIENT_SECRET;
  if (secret) return secret;
  throw new ConfigurationError(
    fromStdin
      ? '--client-secret-stdin read nothing: pipe the client secret in'
      : 'IR_OIDC_CLIENT_SECRET is not set: --client-credentials needs the client secret (or --client-secret-stdin)',
    ['IR_OIDC_CLIENT_SECRET'],
  );
}

/** `op-alice (Alice Approver)` from a token's claims, or what is known. */
function describeSubject(claims: JWTPayload | undefined): string {
  if (!claims) return 'an opaque token (irctl cannot read who)';
  const name = typeof claims.name === 'string' ? ` (${printable(claims.name)})` : '';
  return `${printable(claims.sub ?? '(no subject)')}${name}`;
}

/** `irctl logout`: revokes the refresh tokens where the provider allows it and removes the cache. */
export const logoutCommand: CommandSpec = {
  name: 'logout',
  summary: 'forget every cached login (and revoke refresh tokens where the provider offers revocation)',
  positionals: [],
  options: {},
  details: [
    'Removes the token cache file. Refresh tokens of device logins are revoked first at providers that',
    'publish a revocation endpoint; access tokens stay valid until they expire (minutes), as with any',
    'bearer token. A cache with a wrong mode is removed too: that is the way out of the refusal.',
  ],
  async run(args, context) {
    const path = cachePathOf(context);
    const cache = await readTokenCache(path, { exposedToo: true }).catch((error: unknown) => {
      // A cache irctl cannot parse is still removed; there is nothing in it to revoke.
      if (error instanceof TokenCacheError) return undefined;
      throw error;
    });
    let revoked = 0;
    for (const login of Object.values(cache?.logins ?? {})) {
      if (!login.refreshToken || login.grant !== 'device_code') continue;
      try {
        const metadata = await discover(login.issuer, context.fetch);
        const settings = { issuer: login.issuer, clientId: login.clientId, fetch: context.fetch };
        if (await revokeRefreshToken(metadata, settings, login.refreshToken)) revoked += 1;
      } catch (error: unknown) {
        context.err(
          `warning: could not revoke the refresh token at ${login.issuer}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const removed = await removeTokenCache(path);
    if (args.values.json === true) {
      context.out(toJson({ removed, cachePath: path, revokedRefreshTokens: revoked }));
      return ExitCode.ok;
    }
    context.out(
      removed
        ? `logged out: removed ${path}${revoked > 0 ? `; ${revoked} refresh token(s) revoked at the identity provider` : ''}`
        : `not logged in (no ${path})`,
    );
    return ExitCode.ok;
  },
};

/** `irctl whoami`: whom the token API commands would send says it is, decoded here and not verified. */
export const whoamiCommand: CommandSpec = {
  name: 'whoami',
  summary: 'show whom your token names: subject, name, roles claim, expiry (decoded, not verified)',
  positionals: [],
  options: { ...API_OPTIONS },
  details: [
    'The token is the one API commands would send (--token, IR_API_TOKEN, or the login cache, refreshed',
    'if due). Its claims are decoded here, not verified: the coordinator verifies the signature, issuer,',
    'audience and expiry of every call, and maps the roles claim (IR_OIDC_ROLES_CLAIM, default groups)',
    'to viewer, responder, approver or admin.',
  ],
  async run(args, context) {
    const { token, origin, cachePath } = await resolveApiToken(args, context);
    const claims = unverifiedClaims(token);
    const rolesClaim = context.config.IR_OIDC_ROLES_CLAIM;
    const source = { flag: '--token', environment: 'IR_API_TOKEN', cache: cachePath, refreshed: cachePath }[
      origin
    ];
    if (args.values.json === true) {
      context.out(toJson({ origin, verified: false, claims: claims ?? null }));
      return ExitCode.ok;
    }
    if (!claims) {
      context.out(
        `the token (from ${source}) is not a JWT: irctl cannot read it; the coordinator decides whom it names`,
      );
      return ExitCode.ok;
    }
    const roles = claims[rolesClaim];
    const expiry = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    const expired = expiry && expiry.getTime() <= context.now().getTime() ? ' (expired)' : '';
    const lines: [string, unknown][] = [
      ['subject', claims.sub],
      ['name', claims.name],
      ['email', claims.email],
      [rolesClaim, Array.isArray(roles) ? roles.join(', ') : roles],
      ['issuer', claims.iss],
      ['audience', Array.isArray(claims.aud) ? claims.aud.join(', ') : claims.aud],
      ['client', claims.client_id ?? claims.azp],
      ['expires', expiry ? `${expiry.toISOString()}${expired}` : undefined],
      ['token from', `${source}${origin === 'refreshed' ? ' (refreshed just now)' : ''}`],
    ];
    const width = Math.max(...lines.map(([label]) => label.length)) + 2;
    for (const [label, value] of lines) {
      if (value !== undefined && value !== null && value !== '')
        context.out(`${label.padEnd(width)}${printable(value)}`);
    }
    context.out('decoded here, not verified: the coordinator verifies every call');
    return ExitCode.ok;
  },
};
