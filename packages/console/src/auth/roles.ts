/** An operator's role, least to most; each includes what the ones before it may do. */
export type Role = 'viewer' | 'responder' | 'approver' | 'admin';

/** Every role, least to most. */
export const ROLES: readonly Role[] = ['viewer', 'responder', 'approver', 'admin'];
const order = ROLES;

/**
 * The identity provider's groups → roles, as the coordinator's default `IR_OIDC_ROLE_MAP`; used when
 * `/console/config.json` carries no `roleMap`. Either way the console only decides which buttons to
 * show; the API decides what a token may do, with its own map, and refuses (403) whatever this gets wrong.
 */
export const DEFAULT_ROLE_MAP: Readonly<Record<string, Role>> = {
  'ir-viewers': 'viewer',
  'ir-responders': 'responder',
  'ir-approvers': 'approver',
  'ir-admins': 'admin',
};

/** The highest role any of `groups` gives, or undefined when none maps to a role. */
export function roleFromGroups(
  groups: readonly unknown[] | undefined,
  map: Readonly<Record<string, Role>> = DEFAULT_ROLE_MAP,
): Role | undefined {
  let best: Role | undefined;
  for (const group of groups ?? []) {
    if (typeof group !== 'string' || !Object.hasOwn(map, group)) continue;
    const role = map[group];
    if (role && (best === undefined || order.indexOf(role) > order.indexOf(best))) best = role;
  }
  return best;
}

/** True when `held` includes `needed` (viewer < responder < approver < admin); no role allows nothing. */
export function roleAllows(held: Role | undefined, needed: Role): boolean {
  return held !== undefined && order.indexOf(held) >= order.indexOf(needed);
}
