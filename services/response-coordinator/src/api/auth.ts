import { createHash, timingSafeEqual } from 'node:crypto';
import { type OperatorIdentity, type OperatorRole, operatorApi, roleAllows } from '@ir/contracts';
import type { Logger } from '@ir/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, isAuthenticationError, isIdentityProviderUnavailable } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * True when `presented` equals `expected`, in time that does not depend on where they differ.
 * Why hash first: `timingSafeEqual` needs equal lengths, and comparing lengths would leak one.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Who sent a request, as its verified token says, and the role their groups give (none: undefined). */
export interface Principal {
  readonly identity: OperatorIdentity;
  readonly role: OperatorRole | undefined;
}

/** Turns a bearer token into a principal, or throws `AuthenticationError` / `IdentityProviderUnavailableError`. */
export interface Authenticator {
  readonly mode: 'oidc' | 'static-token';
  authenticate(token: string): Promise<Principal>;
}

/**
 * The actor of every decision made with the static token: an identity that says it is not a person,
 * so a timeline never pretends one decided (TRAPS 23).
 */
export const LOCAL_DEV_IDENTITY: OperatorIdentity = {
  issuer: 'local-dev-token',
  subject: 'local-dev-token',
  name: 'local development token (not a person)',
};

/**
 * The local-development mode (`IR_AUTH_MODE=static-token`): one shared token, which acts as
 * {@link LOCAL_DEV_IDENTITY} with the admin role. `loadConfig` refuses it with `IR_ENV=production`.
 */
export function staticTokenAuthenticator(token: string): Authenticator {
  // loadConfig guarantees it; refuse here too, so an empty token can never open the API.
  if (token.length < 16) throw new Error('the static API token must be at least 16 characters');
  return {
    mode: 'static-token',
    async authenticate(presented) {
      if (!tokensEqual(presented, token)) throw new AuthenticationError('the token is not the API token');
      return { identity: LOCAL_DEV_IDENTITY, role: 'admin' };
    },
  };
}

/**
 * The `by` label of a decision, derived from the verified identity: `Name <email>`, the name, the
 * email or the subject. It is for people reading timelines and reports; `actor` is what identifies.
 */
export function actorLabel(identity: OperatorIdentity): string {
  if (identity.name && identity.email) return `${identity.name} <${identity.email}>`;
  return identity.name ?? identity.email ?? identity.subject;
}

/** The role each route needs, from the contract's table (HEAD as its GET). */
const routeRoles = new Map<string, OperatorRole>(
  Object.values(operatorApi).flatMap((route): [string, OperatorRole][] => [
    [`${route.method} ${route.url}`, route.role],
    ...(route.method === 'GET' ? [[`HEAD ${route.url}`, route.role] as [string, OperatorRole]] : []),
  ]),
);

const principals = new WeakMap<FastifyRequest, Principal>();

/** The principal `authorize` attached to a request; throws if the route was not behind it. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('no authenticated principal on this request (route outside authorize?)');
  return principal;
}

const REALM = 'Bearer realm="incident-response"';
const quoted = (text: string) => text.replace(/["\\]/g, "'");

/**
 * A fastify `onRequest` hook: the request must carry `Authorization: Bearer <token>` that the
 * authenticator accepts (401 otherwise, 503 when the identity provider cannot be read), and the
 * token's role must include the one the route declares in `operatorApi` (403 otherwise; a route that
 * declares none is refused). It runs before the body is read, so a refused caller learns nothing
 * and changes nothing.
 */
export function authorize(authenticator: Authenticator, logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const refuse = (status: 401 | 403 | 503, reason: string, challenge: string | undefined) => {
      logger.warn(
        { status, reason, method: request.method, url: request.routeOptions.url, mode: authenticator.mode },
        'operator_request_refused',
      );
      if (challenge) reply.header('www-authenticate', challenge);
      const error = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'unavailable';
      return reply.code(status).send({ error, message: reason });
    };
    const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return refuse(401, 'a bearer token is required', REALM);
    let principal: Principal;
    try {
      principal = await authenticator.authenticate(match[1]);
    } catch (error: unknown) {
      if (isAuthenticationError(error)) {
        return refuse(
          401,
          `the bearer token was refused: ${error.message}`,
          `${REALM}, error="invalid_token", error_description="${quoted(error.message)}"`,
        );
      }
      if (isIdentityProviderUnavailable(error)) {
        logger.error({ err: error }, 'identity_provider_unavailable');
        return refuse(503, 'the identity provider cannot be reached to check the token; retry', undefined);
      }
      throw error;
    }
    const needed = routeRoles.get(`${request.method} ${request.routeOptions.url}`);
    if (!needed) return refuse(403, 'this route declares no role, so nobody may call it', undefined);
    if (!principal.role || !roleAllows(principal.role, needed)) {
      return refuse(
        403,
        `this needs the ${needed} role; the token of ${principal.identity.subject} grants ${principal.role ?? 'no role'}`,
        `${REALM}, error="insufficient_scope", error_description="needs role ${needed}"`,
      );
    }
    principals.set(request, principal);
  };
}
