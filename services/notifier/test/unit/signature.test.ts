import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../src/signature.js';

const secret = 'whsec-test-0123456789';
const body = '{"incidentId":"inc-1","stage":"opened"}';

describe('signWebhookBody / verifyWebhookSignature', () => {
  it('signs v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>")) as docs/webhook-signature.md says', () => {
    // Prepare
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    // Act / Assess
    expect(signWebhookBody(secret, 1_700_000_000, body)).toBe(`v1=${expected}`);
  });

  it('verifies a fresh delivery and refuses a wrong secret, a changed body and a stale timestamp', () => {
    // Prepare
    const signature = signWebhookBody(secret, 1_700_000_000, body);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({
        secret,
        body,
        signature,
        timestamp: '1700000000',
        nowSeconds: 1_700_000_060,
        ...overrides,
      });
    // Act / Assess
    expect(check({})).toBe('ok');
    expect(check({ secret: 'another-secret-entirely' })).toBe('bad-signature');
    expect(check({ body: `${body} ` })).toBe('bad-signature');
    expect(check({ nowSeconds: 1_700_000_000 + 301 })).toBe('stale');
    expect(check({ signature: undefined })).toBe('missing-header');
    expect(check({ timestamp: '17e8' })).toBe('bad-timestamp');
  });
});
