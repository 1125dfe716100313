import type { OperatorRole } from '@ir/contracts';
import { OperatorRole as Role } from '@ir/contracts';
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AuthConfig } from '../config.js';
import { AuthenticationError, IdentityProviderUnavailableError } from '../errors.js';
import type { Authenticator, Principal } from './auth.js';

/** The OIDC settings `loadConfig` resolved. */
export type OidcAuthConfig = Extract<AuthConfig, { mode: 'oidc' }>;

/** The parts of the issuer's discovery document the API reads. */
const Discovery = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** jose error codes that mean "this token proves nothing" (401); any other failure is the IdP's (503). */
const TOKEN_PROBLEMS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

const codeOf = (error: unknown) =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** The value at a dotted path of the claims (`groups`, `realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The highest role any of the token's groups maps to; undefined when none does. */
export function roleFromClaims(
  payload: JWTPayload,
  rolesClaim: string,
  roleMap: Readonly<Record<string, OperatorRole>>,
): OperatorRole | undefined {
  const raw = claimAt(payload, rolesClaim);
  const groups = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  let best = -1;
  for (const group of groups) {
    if (typeof group !== 'string' || !Object.hasOwn(roleMap, group)) continue;
    const role = roleMap[group];
    if (role) best = Math.max(best, Role.options.indexOf(role));
  }
  return best < 0 ? undefined : Role.options[best];
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Verifies operator bearer tokens as OIDC access tokens (JWTs): the issuer's discovery document is read
 * on first use (and again after a failure) for its `jwks_uri`; jose's remote key set caches the keys
 * (`IR_OIDC_JWKS_CACHE_SECONDS`) and fetches them again when a token names an unknown `kid` (key
 * rotation), at most once per `IR_OIDC_JWKS_COOLDOWN_SECONDS`. A token must be signed with one of the
 * allowed asymmetric algorithms, name the issuer and the audience, carry `sub` and `exp`, and be
 * within the clock tolerance. Roles come from the roles claim through the role map.
 */
export function oidcAuthenticator(
  config: OidcAuthConfig,
  deps: { readonly fetch?: typeof fetch } = {},
): Authenticator {
  const fetchFn = deps.fetch ?? fetch;
  let keys: Promise<JWTVerifyGetKey> | undefined;

  const discover = async (): Promise<JWTVerifyGetKey> => {
    const base = config.issuer.endsWith('/') ? config.issuer : `${config.issuer}/`;
    const url = new URL('.well-known/openid-configuration', base);
    let document: z.infer<typeof Discovery>;
    try {
      const response = await fetchFn(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = Discovery.parse(await response.json());
    } catch (error: unknown) {
      throw new IdentityProviderUnavailableError(`OIDC discovery at ${url.href} failed`, error);
    }
    // OIDC Discovery 1.0 §4.3: the document must name exactly the issuer it was fetched for.
    if (document.issuer !== config.issuer) {
      throw new IdentityProviderUnavailableError(
        `OIDC discovery at ${url.href} names issuer ${document.issuer}, not IR_OIDC_ISSUER ${config.issuer}`,
      );
    }
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: config.jwksCooldownSeconds * 1000,
      cacheMaxAge: config.jwksCacheSeconds * 1000,
      timeoutDuration: 5000,
    });
  };

  const keySet = () => {
    keys ??= discover().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };

  return {
    mode: 'oidc',
    async authenticate(token: string): Promise<Principal> {
      const getKey = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: [...config.algorithms],
          clockTolerance: config.clockToleranceSeconds,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error: unknown) {
        const code = codeOf(error);
        if (code && TOKEN_PROBLEMS.has(code)) {
          throw new AuthenticationError(error instanceof Error ? error.message : String(error), error);
        }
        throw new IdentityProviderUnavailableError('the issuer keys could not be read', error);
      }
      const subject = text(payload.sub);
      if (!subject) throw new AuthenticationError('the token has no subject');
      const name = text(payload.name);
      const email = text(payload.email);
      return {
        identity: {
          issuer: config.issuer,
          subject,
          ...(name ? { name } : {}),
          ...(email ? { email } : {}),
        },
        role: roleFromClaims(payload, config.rolesClaim, config.roleMap),
      };
    },
  };
}
