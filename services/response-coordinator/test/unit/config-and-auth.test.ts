import { randomBytes } from 'node:crypto';
import { redactConfig } from '@ir/runtime';
import { describe, expect, it } from 'vitest';
import { tokensEqual } from '../../src/api/auth.js';
import { durationSeconds, loadConfig } from '../../src/config.js';
import { deterministicUuid } from '../../src/ids.js';

const token = 'a-token-of-enough-length';
/** The explicit local-development mode. */
const dev = { IR_ENV: 'development', IR_AUTH_MODE: 'static-token', IR_API_TOKEN: token };
/** Production needs the decision signing key: a random one per test run. */
const decisionKey = randomBytes(32);
const oidc = {
  IR_OIDC_ISSUER: 'https://idp.example.test',
  IR_OIDC_AUDIENCE: 'urn:ir:operator-api',
  IR_DECISION_SIGNING_KEY: decisionKey.toString('base64'),
};

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig(oidc);
    expect(config).toMatchObject({
      auth: {
        mode: 'oidc',
        issuer: 'https://idp.example.test',
        audience: 'urn:ir:operator-api',
        rolesClaim: 'groups',
        roleMap: { 'ir-viewers': 'viewer', 'ir-approvers': 'approver' },
        clockToleranceSeconds: 60,
        algorithms: ['RS256', 'PS256', 'ES256'],
      },
      tableName: 'ir-incidents',
      IR_MAX_AUTO_CONTAINMENTS: 5,
      blastWindowSeconds: 3600,
      protectedTag: { key: 'ir:protected', value: 'true' },
    });
  });

  it('names the variable in every error', () => {
    expect(() => loadConfig({})).toThrow(/IR_OIDC_ISSUER/);
    expect(() => loadConfig({ ...dev, IR_BLAST_WINDOW: 'soon' })).toThrow(/IR_BLAST_WINDOW/);
    expect(() => loadConfig({ ...dev, IR_PROTECTED_TAG: 'nope' })).toThrow(/IR_PROTECTED_TAG/);
    expect(() =>
      loadConfig({
        ...dev,
        IR_SWEEP_INTERVAL_SECONDS: '100',
        IR_APPROVAL_TIMEOUT_SECONDS: '50',
      }),
    ).toThrow(/IR_SWEEP_INTERVAL_SECONDS/);
  });

  it('refuses an evidence bucket without the signing key its manifests are verified against', () => {
    // Prepare
    const bucket = { ...dev, IR_EVIDENCE_BUCKET: 'ir-evidence-123' };
    // Act / Assess
    expect(() => loadConfig(bucket)).toThrow(/IR_EVIDENCE_BUCKET needs IR_EVIDENCE_SIGNING_KEY/);
    expect(loadConfig({ ...bucket, IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing' })).toMatchObject({
      IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
    });
  });

  it('needs an auth mode, and says how to configure one', () => {
    // Act / Assess
    expect(() => loadConfig({})).toThrow(
      /needs authentication: set IR_OIDC_ISSUER and IR_OIDC_AUDIENCE .*IR_AUTH_MODE=static-token/,
    );
    expect(() => loadConfig({ IR_OIDC_ISSUER: 'https://idp.example.test' })).toThrow(/IR_OIDC_AUDIENCE/);
    expect(() => loadConfig({ IR_AUTH_MODE: 'oidc', IR_OIDC_AUDIENCE: 'x' })).toThrow(/IR_OIDC_ISSUER/);
  });

  it('allows the static token only as an explicit mode outside production, acting as no person', () => {
    // Act / Assess
    expect(loadConfig(dev).auth).toEqual({ mode: 'static-token' });
    // The config is logged at start through redactConfig, which redacts top-level secrets only.
    expect(JSON.stringify(redactConfig(loadConfig(dev)))).not.toContain(token);
    // IR_ENV defaults to production, so forgetting it fails closed.
    expect(() => loadConfig({ IR_AUTH_MODE: 'static-token', IR_API_TOKEN: token })).toThrow(
      /static-token .* refused with IR_ENV=production/,
    );
    expect(() => loadConfig({ ...dev, IR_ENV: 'production' })).toThrow(/IR_ENV=production/);
    expect(() => loadConfig({ IR_ENV: 'development', IR_AUTH_MODE: 'static-token' })).toThrow(/IR_API_TOKEN/);
    // A token alone is not a mode: without IR_AUTH_MODE it would silently guard nothing in OIDC.
    expect(() => loadConfig({ IR_API_TOKEN: token })).toThrow(/needs authentication/);
    expect(() => loadConfig({ ...oidc, IR_API_TOKEN: token })).toThrow(
      /IR_API_TOKEN is set but IR_AUTH_MODE is oidc/,
    );
  });

  it('reads the role map and refuses symmetric or unsigned algorithms', () => {
    // Act
    const mapped = loadConfig({
      ...oidc,
      IR_OIDC_ROLES_CLAIM: 'realm_access.roles',
      IR_OIDC_ROLE_MAP: '{"sec-oncall":"approver","sec-all":"viewer"}',
      IR_OIDC_ALGORITHMS: 'ES256, EdDSA',
      IR_OIDC_CLOCK_TOLERANCE_SECONDS: '5',
    });
    // Assess
    expect(mapped.auth).toMatchObject({
      rolesClaim: 'realm_access.roles',
      roleMap: { 'sec-oncall': 'approver', 'sec-all': 'viewer' },
      algorithms: ['ES256', 'EdDSA'],
      clockToleranceSeconds: 5,
    });
    expect(() => loadConfig({ ...oidc, IR_OIDC_ROLE_MAP: '{"x":"root"}' })).toThrow(/IR_OIDC_ROLE_MAP/);
    expect(() => loadConfig({ ...oidc, IR_OIDC_ROLE_MAP: 'not json' })).toThrow(
      /IR_OIDC_ROLE_MAP: must be a JSON/,
    );
    expect(() => loadConfig({ ...oidc, IR_OIDC_ALGORITHMS: 'RS256,HS256' })).toThrow(/IR_OIDC_ALGORITHMS/);
    expect(() => loadConfig({ ...oidc, IR_OIDC_ALGORITHMS: 'none' })).toThrow(/IR_OIDC_ALGORITHMS/);
    expect(() => loadConfig({ ...oidc, IR_OIDC_CLOCK_TOLERANCE_SECONDS: '3600' })).toThrow(
      /IR_OIDC_CLOCK_TOLERANCE_SECONDS/,
    );
  });

  it('requires a decision signing key in production, of at least 32 bytes in hex or base64', () => {
    // Prepare
    const { IR_DECISION_SIGNING_KEY: _key, ...unsigned } = oidc;
    const short = randomBytes(16);
    // Act / Assess
    expect(() => loadConfig(unsigned)).toThrow(/IR_DECISION_SIGNING_KEY is required with IR_ENV=production/);
    expect(() => loadConfig({ ...oidc, IR_DECISION_SIGNING_KEY: short.toString('base64') })).toThrow(
      /IR_DECISION_SIGNING_KEY must be at least 32 bytes/,
    );
    expect(() => loadConfig({ ...oidc, IR_DECISION_SIGNING_KEY: short.toString('hex') })).toThrow(
      /IR_DECISION_SIGNING_KEY must be at least 32 bytes/,
    );
    expect(() => loadConfig({ ...oidc, IR_DECISION_SIGNING_KEY: 'not a key, not base64 at all!' })).toThrow(
      /IR_DECISION_SIGNING_KEY must be/,
    );
    expect(() =>
      loadConfig({
        ...unsigned,
        IR_ENV: 'development',
        IR_DECISION_SIGNING_KEY_PREVIOUS: oidc.IR_DECISION_SIGNING_KEY,
      }),
    ).toThrow(/IR_DECISION_SIGNING_KEY_PREVIOUS needs IR_DECISION_SIGNING_KEY/);
    expect(() => loadConfig({ ...oidc, IR_DECISION_SIGNING_KEY_PREVIOUS: short.toString('hex') })).toThrow(
      /IR_DECISION_SIGNING_KEY_PREVIOUS must be at least 32 bytes/,
    );
  });

  it('reads the same key from hex and base64, and names keys by id only when logged', () => {
    // Prepare
    const previous = randomBytes(48);
    // Act
    const fromBase64 = loadConfig({
      ...oidc,
      IR_DECISION_SIGNING_KEY_PREVIOUS: previous.toString('base64url'),
    });
    const fromHex = loadConfig({ ...oidc, IR_DECISION_SIGNING_KEY: decisionKey.toString('hex') });
    const logged = JSON.stringify(redactConfig(fromBase64));
    // Assess
    expect(fromHex.decisionSigning.keyId).toBe(fromBase64.decisionSigning.keyId);
    expect(fromBase64.decisionSigning.generated).toBe(false);
    expect(fromBase64.decisionSigning.previousKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(fromBase64).filter((key) => key.startsWith('IR_DECISION_SIGNING'))).toEqual([]);
    expect(logged).toContain(fromBase64.decisionSigning.keyId);
    expect(logged).toContain(String(fromBase64.decisionSigning.previousKeyId));
    for (const secret of [decisionKey, previous]) {
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        expect(logged).not.toContain(secret.toString(encoding));
      }
    }
  });

  it('outside production without a key, makes a random one per process', () => {
    // Act
    const first = loadConfig(dev);
    const second = loadConfig(dev);
    // Assess
    expect(first.decisionSigning.generated).toBe(true);
    expect(first.decisionSigning.keyId).not.toBe(second.decisionSigning.keyId);
    expect(
      loadConfig({ ...dev, IR_DECISION_SIGNING_KEY: oidc.IR_DECISION_SIGNING_KEY }).decisionSigning,
    ).toMatchObject({ generated: false });
  });

  it('reads durations with units', () => {
    expect([
      durationSeconds('90'),
      durationSeconds('15m'),
      durationSeconds('2h'),
      durationSeconds('0'),
    ]).toEqual([90, 900, 7200, undefined]);
  });
});

describe('tokensEqual', () => {
  it('accepts only the exact token', () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(`${token}x`, token)).toBe(false);
    expect(tokensEqual('', token)).toBe(false);
  });
});

describe('deterministicUuid', () => {
  it('derives the same UUID from the same parts, and a valid one', () => {
    expect(deterministicUuid('a', 'b')).toBe(deterministicUuid('a', 'b'));
    expect(deterministicUuid('a', 'b')).not.toBe(deterministicUuid('ab'));
    expect(deterministicUuid('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
