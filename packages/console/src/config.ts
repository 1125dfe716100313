import { DEFAULT_ROLE_MAP, type Role, ROLES } from './auth/roles.js';

/**
 * What the console needs to know about its deployment, served by the coordinator at
 * `/console/config.json`: the identity provider's issuer, the console's (public) client id, the API
 * audience its tokens must carry, where the operator API is (empty: the same origin), and the token
 * claim and group → role map the API uses (so the console shows the buttons the API will honour).
 */
export interface ConsoleConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly audience: string;
  readonly apiBase: string;
  /** The claim holding the person's groups (`groups` when config.json does not say). */
  readonly rolesClaim: string;
  /** Group → role (the coordinator's default map when config.json does not say). */
  readonly roleMap: Readonly<Record<string, Role>>;
}

/** Checks the shape of `/console/config.json`, naming the field that is wrong. */
export function parseConsoleConfig(value: unknown): ConsoleConfig {
  if (typeof value !== 'object' || value === null) throw new Error('config.json is not an object');
  const record = value as Record<string, unknown>;
  const field = (name: string, required: boolean): string => {
    const v = record[name];
    if (v === undefined || v === null || v === '') {
      if (required) throw new Error(`config.json has no ${name}`);
      return '';
    }
    if (typeof v !== 'string') throw new Error(`config.json: ${name} is not a string`);
    return v;
  };
  return {
    issuer: field('issuer', true),
    clientId: field('clientId', true),
    audience: field('audience', true),
    apiBase: field('apiBase', false).replace(/\/+$/, ''),
    rolesClaim: field('rolesClaim', false) || 'groups',
    roleMap: parseRoleMap(record.roleMap),
  };
}

/** The group → role map of config.json; absent means the default, anything malformed is refused. */
function parseRoleMap(value: unknown): Readonly<Record<string, Role>> {
  if (value === undefined || value === null) return DEFAULT_ROLE_MAP;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new Error('config.json: roleMap is not an object');
  const map: Record<string, Role> = Object.create(null);
  for (const [group, role] of Object.entries(value)) {
    if (!(ROLES as readonly unknown[]).includes(role)) {
      throw new Error(`config.json: roleMap maps ${group} to ${String(role)}, which is no role`);
    }
    map[group] = role as Role;
  }
  return map;
}

/** Fetches and checks the console's configuration. */
export async function loadConsoleConfig(base = '/console/'): Promise<ConsoleConfig> {
  const response = await fetch(`${base}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  return parseConsoleConfig(await response.json());
}
