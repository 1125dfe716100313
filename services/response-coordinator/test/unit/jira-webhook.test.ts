import { createHmac, randomBytes } from 'node:crypto';
import { buildMessage } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DecisionKeyring, isDecision } from '../../src/decision-signing.js';
import { categoryOf, dispositionOf, incidentOf } from '../../src/jira/payload.js';
import { verifyJiraSignature } from '../../src/jira/verify-signature.js';

const secret = randomBytes(32).toString('hex');
const sign = (body: string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

describe('verifyJiraSignature', () => {
  const body = '{"webhookEvent":"jira:issue_updated","issue":{"key":"SEC-1"}}';

  it('accepts the HMAC-SHA256 of the raw body, in either hex case', () => {
    // Act / Assess
    expect(verifyJiraSignature(secret, body, { 'x-hub-signature': sign(body) })).toEqual({ ok: true });
    expect(
      verifyJiraSignature(secret, body, {
        'x-hub-signature': sign(body).toUpperCase().replace('SHA256=', 'sha256='),
      }),
    ).toEqual({ ok: true });
  });

  it('refuses a missing, malformed, wrong or re-serialised signature, naming why and never the expected value', () => {
    // Prepare
    const cases: [string, Record<string, string | string[]>][] = [
      ['missing X-Hub-Signature', {}],
      ['malformed', { 'x-hub-signature': sign(body).replace('sha256=', 'sha1=') }],
      ['malformed', { 'x-hub-signature': `${sign(body)}00` }],
      ['does not match', { 'x-hub-signature': sign(body, randomBytes(32).toString('hex')) }],
      ['does not match', { 'x-hub-signature': sign(JSON.stringify(JSON.parse(body), null, 1)) }],
    ];
    for (const [why, headers] of cases) {
      // Act
      const verified = verifyJiraSignature(secret, body, headers);
      // Assess
      expect(verified.ok, why).toBe(false);
      expect(verified.ok ? '' : verified.reason, why).toContain(why);
      expect(JSON.stringify(verified)).not.toContain(sign(body).slice(7));
    }
  });
});

describe('Jira issue labels and resolutions', () => {
  it('reads the incident from exactly one ir-incident-<id> label', () => {
    // Act / Assess
    expect(incidentOf(['ir-incident', 'ir-incident-inc-42', 'ir-severity-high'])).toBe('inc-42');
    expect(incidentOf(['ir-incident'])).toBeUndefined();
    expect(incidentOf(['ir-incident-inc-1', 'ir-incident-inc-2'])).toBeUndefined();
  });

  it('reads the category from one ir-category-<category> label of the closed list', () => {
    // Act / Assess
    expect(categoryOf(['ir-incident-inc-1', 'ir-category-malware'])).toBe('malware');
    expect(categoryOf(['IR-CATEGORY-Cryptomining'])).toBe('cryptomining');
    expect(categoryOf(['ir-category-ransomware'])).toBeUndefined();
    expect(categoryOf(['ir-category-malware', 'ir-category-other'])).toBeUndefined();
    expect(categoryOf([])).toBeUndefined();
  });

  it('maps a resolution through the configured map, ignoring case; anything else maps to nothing', () => {
    // Prepare
    const config = loadConfig({
      IR_ENV: 'test',
      IR_AUTH_MODE: 'static-token',
      IR_API_TOKEN: 'test-token-0123456789abcdef',
      IR_JIRA_RESOLUTION_DISPOSITIONS:
        "Done = true-positive, Won't Do=false-positive,Not a threat=benign-true-positive",
    });
    const map = config.IR_JIRA_RESOLUTION_DISPOSITIONS;
    // Act / Assess
    expect(dispositionOf('done', map)).toBe('true-positive');
    expect(dispositionOf("Won't Do", map)).toBe('false-positive');
    expect(dispositionOf('Not a Threat', map)).toBe('benign-true-positive');
    expect(dispositionOf('Cannot Reproduce', map)).toBeUndefined();
    expect(dispositionOf('constructor', map)).toBeUndefined();
    expect(dispositionOf(undefined, map)).toBeUndefined();
  });
});

describe('loadConfig (Jira webhook)', () => {
  const base = { IR_ENV: 'test', IR_AUTH_MODE: 'static-token', IR_API_TOKEN: 'test-token-0123456789abcdef' };

  it('defaults the resolution map to Jira’s standard resolutions', () => {
    // Act
    const config = loadConfig(base);
    // Assess
    expect(config.IR_JIRA_RESOLUTION_DISPOSITIONS).toEqual({
      done: 'true-positive',
      "won't do": 'false-positive',
      duplicate: 'duplicate',
    });
  });

  it('refuses a bad map entry, the secret without the site, and http in production, naming the variables', () => {
    // Act / Assess
    expect(() => loadConfig({ ...base, IR_JIRA_RESOLUTION_DISPOSITIONS: 'Done=real' })).toThrow(
      /IR_JIRA_RESOLUTION_DISPOSITIONS.*"Done=real" is not Resolution=disposition/,
    );
    expect(() => loadConfig({ ...base, IR_JIRA_RESOLUTION_DISPOSITIONS: 'true-positive' })).toThrow(
      /IR_JIRA_RESOLUTION_DISPOSITIONS/,
    );
    expect(() => loadConfig({ ...base, IR_JIRA_WEBHOOK_SECRET: secret })).toThrow(
      /IR_JIRA_WEBHOOK_SECRET needs IR_JIRA_BASE_URL/,
    );
    expect(() =>
      loadConfig({
        IR_OIDC_ISSUER: 'https://idp.example.com',
        IR_OIDC_AUDIENCE: 'ir-api',
        IR_DECISION_SIGNING_KEY: randomBytes(32).toString('base64'),
        IR_JIRA_WEBHOOK_SECRET: secret,
        IR_JIRA_BASE_URL: 'http://jira.example.com',
      }),
    ).toThrow(/IR_JIRA_BASE_URL must be https with IR_ENV=production/);
  });
});

describe('incident.ticket-closed signing', () => {
  const message = buildMessage('incident.ticket-closed', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'response-coordinator-jira',
    dryRun: false,
    payload: {
      by: 'Grace Hopper (Jira)',
      actor: { issuer: 'https://ir-test.atlassian.net', subject: '5b10ac8d82e05b22cc7d4ef5' },
      ticketKey: 'SEC-1',
      status: 'Done',
      missing: ['category'],
    },
  });

  it('is a signed type: unsigned or altered it is refused, signed by the coordinator it verifies', () => {
    // Prepare
    const keyring = DecisionKeyring.generate();
    const signed = keyring.sign(message);
    const altered = { ...signed, payload: { ...signed.payload, ticketKey: 'SEC-2' } };
    // Act / Assess
    expect(isDecision(message)).toBe(true);
    expect(keyring.verify(message)).toEqual({ valid: false, reason: 'missing' });
    expect(keyring.verify(signed)).toMatchObject({ valid: true });
    expect(keyring.verify(altered)).toMatchObject({ valid: false, reason: 'mismatch' });
  });
});
