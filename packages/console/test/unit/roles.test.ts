import { describe, expect, it } from 'vitest';
import { roleAllows, roleFromGroups } from '../../src/auth/roles.js';
import { SessionStore, sessionFromToken } from '../../src/auth/session.js';
import { base64UrlEncode } from '../../src/auth/pkce.js';

/** An unsigned JWT-shaped token with these claims (the console never verifies; the API does). */
function token(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(value)));
  return `${part({ alg: 'RS256', typ: 'at+jwt' })}.${part(claims)}.signature`;
}

/** A Storage kept in a Map: sessionStorage as Node does not have it. */
class MapStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('roleFromGroups', () => {
  it('maps the identity provider groups as the coordinator does, the highest role winning', () => {
    expect(roleFromGroups(['staff', 'ir-viewers'])).toBe('viewer');
    expect(roleFromGroups(['ir-responders'])).toBe('responder');
    expect(roleFromGroups(['staff', 'ir-approvers'])).toBe('approver');
    expect(roleFromGroups(['ir-viewers', 'ir-admins', 'ir-responders'])).toBe('admin');
  });

  it('gives no role for unknown groups, non-strings or inherited object keys', () => {
    expect(roleFromGroups(['staff'])).toBeUndefined();
    expect(roleFromGroups(undefined)).toBeUndefined();
    expect(roleFromGroups([42, null, 'toString', '__proto__', 'constructor'])).toBeUndefined();
  });

  it('orders roles viewer < responder < approver < admin, and no role allows nothing', () => {
    expect(roleAllows('approver', 'responder')).toBe(true);
    expect(roleAllows('approver', 'approver')).toBe(true);
    expect(roleAllows('responder', 'approver')).toBe(false);
    expect(roleAllows('viewer', 'responder')).toBe(false);
    expect(roleAllows('admin', 'approver')).toBe(true);
    expect(roleAllows(undefined, 'viewer')).toBe(false);
  });
});

describe('sessionFromToken', () => {
  it('reads the person and the role from the access token claims', () => {
    const accessToken = token({
      sub: 'op-alice',
      name: 'Alice Approver',
      email: 'alice@ir.example.test',
      groups: ['staff', 'ir-approvers'],
      exp: 2_000_000_000,
    });

    const session = sessionFromToken(accessToken);

    expect(session.person).toEqual({
      subject: 'op-alice',
      name: 'Alice Approver',
      email: 'alice@ir.example.test',
      role: 'approver',
    });
    expect(session.expiresAt).toBe(2_000_000_000_000);
  });

  it('reads the roles claim and the group map that config.json names', () => {
    const accessToken = token({
      sub: 'op-x',
      'https://example.test/roles': 'sec-oncall',
      exp: 2_000_000_000,
    });

    const session = sessionFromToken(accessToken, {
      rolesClaim: 'https://example.test/roles',
      roleMap: { 'sec-oncall': 'approver' },
    });

    expect(session.person.role).toBe('approver');
    expect(session.person.name).toBe('op-x');
  });

  it('refuses a token that is not a JWT', () => {
    expect(() => sessionFromToken('opaque-token')).toThrow(/not a JWT/);
  });
});

describe('SessionStore', () => {
  it('keeps the token in the given storage, drops it once expired, and forgets it on clear', () => {
    const storage = new MapStorage();
    const now = Date.now();
    const session = sessionFromToken(
      token({ sub: 'op-rita', groups: ['ir-responders'], exp: now / 1000 + 60 }),
    );
    const store = () => new SessionStore(undefined, storage);
    store().save(session);

    expect(store().load(now)?.person.role).toBe('responder');
    expect(store().load(now + 61_000)).toBeUndefined();
    expect(storage.length).toBe(0);

    const one = store();
    one.save(session);
    one.clear();
    expect(one.load(now)).toBeUndefined();
    expect(storage.length).toBe(0);
  });
});
