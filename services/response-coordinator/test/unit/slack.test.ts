import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { responseUrlAllowed } from '../../src/slack/response-url.js';
import { verifySlackSignature } from '../../src/slack/verify-request.js';

const secret = randomBytes(32).toString('hex');
const sign = (body: string, timestamp: number, key = secret) =>
  `v0=${createHmac('sha256', key).update(`v0:${timestamp}:${body}`).digest('hex')}`;
const headersFor = (body: string, timestamp: number, key = secret) => ({
  'x-slack-request-timestamp': String(timestamp),
  'x-slack-signature': sign(body, timestamp, key),
});

describe('verifySlackSignature', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const ts = now / 1000;
  const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

  it('accepts a v0 signature within five minutes of our clock, either side', () => {
    // Act / Assess
    expect(verifySlackSignature(secret, body, headersFor(body, ts - 299), now)).toEqual({ ok: true });
    expect(verifySlackSignature(secret, body, headersFor(body, ts + 299), now)).toEqual({ ok: true });
  });

  it('refuses stale, future, tampered, foreign-key and malformed requests, naming why but no secret', () => {
    // Prepare
    const cases = [
      verifySlackSignature(secret, body, headersFor(body, ts - 301), now),
      verifySlackSignature(secret, body, headersFor(body, ts + 301), now),
      verifySlackSignature(secret, `${body}x`, headersFor(body, ts), now),
      verifySlackSignature(secret, body, headersFor(body, ts, randomBytes(32).toString('hex')), now),
      verifySlackSignature(
        secret,
        body,
        { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=00' },
        now,
      ),
      verifySlackSignature(secret, body, {}, now),
    ];
    // Assess
    expect(cases.map((result) => result.ok)).toEqual([false, false, false, false, false, false]);
    const reasons = cases.map((result) => (result.ok ? '' : result.reason));
    expect(reasons[0]).toMatch(/stale/);
    expect(reasons[1]).toMatch(/future/);
    expect(reasons[2]).toMatch(/signature mismatch/);
    expect(reasons.join(' ')).not.toContain(secret);
  });
});

describe('responseUrlAllowed', () => {
  it('accepts only URLs under the prefix: not a look-alike host, userinfo, or another scheme', () => {
    // Prepare
    const prefix = 'https://hooks.slack.com/';
    // Act / Assess
    expect(responseUrlAllowed('https://hooks.slack.com/actions/T0/1/abc', prefix)).toBe(true);
    for (const url of [
      'https://hooks.slack.com.evil.example/actions/T0/1/abc',
      'https://hooks.slack.com@evil.example/actions',
      'https://user:pw@hooks.slack.com/actions',
      'http://hooks.slack.com/actions/T0/1/abc',
      'http://169.254.169.254/latest/meta-data/',
      'not a url',
    ]) {
      expect(responseUrlAllowed(url, prefix), url).toBe(false);
    }
  });
});

describe('loadConfig (Slack approvals)', () => {
  const base = {
    IR_ENV: 'test',
    IR_AUTH_MODE: 'static-token',
    IR_API_TOKEN: 'test-token-0123456789abcdef',
  };

  it('parses the user map and refuses a bad entry, naming the variable', () => {
    // Act
    const config = loadConfig({
      ...base,
      IR_SLACK_SIGNING_SECRET: secret,
      IR_SLACK_USER_MAP: JSON.stringify({
        U0ALICE01: { issuer: 'https://idp', subject: 'op-alice', role: 'approver' },
      }),
    });
    // Assess
    expect(config.IR_SLACK_USER_MAP.U0ALICE01?.role).toBe('approver');
    expect(config.IR_SLACK_RESPONSE_URL_PREFIX).toBe('https://hooks.slack.com/');
    expect(() =>
      loadConfig({
        ...base,
        IR_SLACK_SIGNING_SECRET: secret,
        IR_SLACK_USER_MAP: '{"U0A":{"subject":"x","role":"god"}}',
      }),
    ).toThrow(/IR_SLACK_USER_MAP/);
    expect(() => loadConfig({ ...base, IR_SLACK_SIGNING_SECRET: secret, IR_SLACK_USER_MAP: 'nope' })).toThrow(
      /IR_SLACK_USER_MAP: must be a JSON object/,
    );
  });

  it('refuses an http response_url prefix in production, a prefix not ending in /, and a map without the secret', () => {
    // Act / Assess
    expect(() =>
      loadConfig({
        IR_OIDC_ISSUER: 'https://idp.example.com',
        IR_OIDC_AUDIENCE: 'urn:ir:operator-api',
        IR_DECISION_SIGNING_KEY: randomBytes(32).toString('base64'),
        IR_SLACK_SIGNING_SECRET: secret,
        IR_SLACK_RESPONSE_URL_PREFIX: 'http://127.0.0.1:9/actions/',
      }),
    ).toThrow(/IR_SLACK_RESPONSE_URL_PREFIX must be https with IR_ENV=production/);
    expect(() =>
      loadConfig({
        ...base,
        IR_SLACK_SIGNING_SECRET: secret,
        IR_SLACK_RESPONSE_URL_PREFIX: 'https://hooks.slack.com',
      }),
    ).not.toThrow();
    expect(() =>
      loadConfig({
        ...base,
        IR_SLACK_SIGNING_SECRET: secret,
        IR_SLACK_RESPONSE_URL_PREFIX: 'https://hooks.slack.com/x',
      }),
    ).toThrow(/must end with "\/"/);
    expect(() =>
      loadConfig({
        ...base,
        IR_SLACK_USER_MAP: JSON.stringify({ U0ALICE01: { issuer: 'i', subject: 's', role: 'viewer' } }),
      }),
    ).toThrow(/IR_SLACK_SIGNING_SECRET/);
  });
});
