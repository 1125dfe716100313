import { base64UrlDecode } from './pkce.js';
import { DEFAULT_ROLE_MAP, type Role, roleFromGroups } from './roles.js';

/** Where the token names the person's groups, and what each group is worth. */
export interface RoleClaims {
  readonly rolesClaim: string;
  readonly roleMap: Readonly<Record<string, Role>>;
}

const DEFAULT_ROLE_CLAIMS: RoleClaims = { rolesClaim: 'groups', roleMap: DEFAULT_ROLE_MAP };

/** What the console shows about the signed-in person, read from the access token's claims. */
export interface Person {
  readonly subject: string;
  readonly name: string;
  readonly email: string | undefined;
  readonly role: Role | undefined;
}

/** A signed-in session: the bearer token and what its claims say. */
export interface Session {
  readonly accessToken: string;
  /** Epoch milliseconds after which the token is refused by the API. */
  readonly expiresAt: number;
  readonly person: Person;
}

const STORAGE_KEY = 'ir.console.session';

/**
 * The claims of a JWT, without verifying it. Why that is enough: the console uses them only to greet
 * the person and choose which buttons to show; the API verifies every token it receives.
 */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the access token is not a JWT');
  const claims: unknown = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload)));
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new Error('the access token has no claims object');
  }
  return claims as Record<string, unknown>;
}

/**
 * A session from an access token: the person from `sub`, `name`, `email` and the roles claim (a list
 * of groups, or one group as a string), expiry from `exp` (else `expiresInSeconds` from `now`).
 */
export function sessionFromToken(
  accessToken: string,
  roles: RoleClaims = DEFAULT_ROLE_CLAIMS,
  expiresInSeconds?: number,
  now = Date.now(),
): Session {
  const claims = jwtClaims(accessToken);
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const name = typeof claims.name === 'string' && claims.name !== '' ? claims.name : subject;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const held = claims[roles.rolesClaim];
  const groups = Array.isArray(held) ? held : typeof held === 'string' ? [held] : [];
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const expiresAt = exp ?? now + (expiresInSeconds ?? 300) * 1000;
  return {
    accessToken,
    expiresAt,
    person: { subject, name, email, role: roleFromGroups(groups, roles.roleMap) },
  };
}

/**
 * Where the session lives: in memory and in sessionStorage (this tab only, gone when it closes), never
 * in localStorage (shared by every tab and kept on disk). Why sessionStorage at all: a reload should
 * not send the person back through the identity provider.
 */
export class SessionStore {
  private current: Session | undefined;

  constructor(
    private readonly roles: RoleClaims = DEFAULT_ROLE_CLAIMS,
    private readonly storage: Storage | undefined = globalThis.sessionStorage,
  ) {}

  /** The session, unless there is none or its token has expired. */
  load(now = Date.now()): Session | undefined {
    if (!this.current) {
      const token = this.storage?.getItem(STORAGE_KEY);
      if (token) {
        try {
          this.current = sessionFromToken(token, this.roles);
        } catch {
          this.clear();
        }
      }
    }
    if (this.current && this.current.expiresAt <= now) this.clear();
    return this.current;
  }

  save(session: Session): void {
    this.current = session;
    this.storage?.setItem(STORAGE_KEY, session.accessToken);
  }

  clear(): void {
    this.current = undefined;
    this.storage?.removeItem(STORAGE_KEY);
  }
}
