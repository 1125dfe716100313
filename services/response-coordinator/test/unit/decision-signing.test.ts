import { randomBytes, timingSafeEqual } from 'node:crypto';
import { buildMessage, type MessageOf, parseMessage } from '@ir/contracts';
import type { Publishable, Publisher } from '@ir/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  canonicalJson,
  type DecisionMessage,
  DecisionKeyring,
  signingPublisher,
} from '../../src/decision-signing.js';

// Wraps (does not replace) the real comparison, so the test can see that verification goes through it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const actor = {
  issuer: 'https://idp.example.test',
  subject: 'alice-sub',
  name: 'Alice',
  email: 'alice@example.test',
};

function approval(overrides: { stepId?: string } = {}): MessageOf<'approval.granted'> {
  return buildMessage('approval.granted', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'response-coordinator-api',
    dryRun: false,
    payload: {
      stepId: overrides.stepId ?? 'block-ip',
      by: 'Alice <alice@example.test>',
      actor,
      reason: 'checked',
    },
  });
}

/** What the queue handler gets: the message as JSON on the queue, parsed by the contracts. */
const delivered = <M extends DecisionMessage>(message: M): M => parseMessage(JSON.stringify(message)) as M;

const keyring = () => DecisionKeyring.of(randomBytes(32));

describe('DecisionKeyring', () => {
  afterEach(() => vi.mocked(timingSafeEqual).mockClear());

  it('verifies a decision it signed, after the trip through the queue', () => {
    // Prepare
    const ring = keyring();
    // Act
    const signed = ring.sign(approval());
    const verification = ring.verify(delivered(signed));
    // Assess
    expect(signed.payload.signature).toMatchObject({ alg: 'HMAC-SHA256', keyId: ring.keyId });
    expect(signed.payload.signature?.mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verification).toEqual({ valid: true, keyId: ring.keyId });
  });

  it('refuses a signed decision with any covered field changed', () => {
    // Prepare
    const ring = keyring();
    const signed = ring.sign(approval());
    const tampered: Record<string, DecisionMessage> = {
      stepId: { ...signed, payload: { ...signed.payload, stepId: 'remove-login-profile' } },
      'actor.subject': {
        ...signed,
        payload: { ...signed.payload, actor: { ...actor, subject: 'mallory-sub' } },
      },
      'actor.issuer': {
        ...signed,
        payload: { ...signed.payload, actor: { ...actor, issuer: 'https://evil.example.test' } },
      },
      by: { ...signed, payload: { ...signed.payload, by: 'Mallory' } },
      reason: { ...signed, payload: { ...signed.payload, reason: 'because' } },
      incidentId: { ...signed, incidentId: 'inc-2' },
      correlationId: { ...signed, correlationId: 'corr-2' },
      id: { ...signed, id: '6f1c1d5e-1b7a-4c55-9b0f-2d3c4b5a6978' },
      type: { ...signed, type: 'approval.rejected' } as MessageOf<'approval.rejected'>,
      sentAt: { ...signed, sentAt: new Date(Date.parse(signed.sentAt) + 60_000).toISOString() },
      producer: { ...signed, producer: 'isolator' },
      dryRun: { ...signed, dryRun: true },
    };
    // Act
    const outcomes = Object.fromEntries(
      Object.entries(tampered).map(([field, message]) => [field, ring.verify(delivered(message))]),
    );
    // Assess
    for (const field of Object.keys(tampered)) {
      expect({ field, outcome: outcomes[field] }).toEqual({
        field,
        outcome: { valid: false, reason: 'mismatch', claimedKeyId: ring.keyId },
      });
    }
  });

  it('refuses decisions signed with another key, whatever key id they claim', () => {
    // Prepare
    const ring = keyring();
    const other = keyring();
    const signedElsewhere = other.sign(approval());
    const claimingOurs = {
      ...signedElsewhere,
      payload: {
        ...signedElsewhere.payload,
        signature: {
          alg: 'HMAC-SHA256',
          keyId: ring.keyId,
          mac: signedElsewhere.payload.signature?.mac ?? '',
        },
      },
    };
    // Act
    const unknown = ring.verify(delivered(signedElsewhere));
    const mismatch = ring.verify(delivered(claimingOurs));
    // Assess
    expect(unknown).toEqual({ valid: false, reason: 'unknown-key', claimedKeyId: other.keyId });
    expect(mismatch).toEqual({ valid: false, reason: 'mismatch', claimedKeyId: ring.keyId });
  });

  it('accepts the previous key during a rotation, and only then', () => {
    // Prepare
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = DecisionKeyring.of(oldKey);
    const during = DecisionKeyring.of(newKey, oldKey);
    const after = DecisionKeyring.of(newKey);
    const signedBefore = delivered(before.sign(approval()));
    // Act
    const signedDuring = during.sign(approval());
    // Assess
    expect(during.verify(signedBefore)).toEqual({ valid: true, keyId: before.keyId });
    expect(signedDuring.payload.signature?.keyId).toBe(after.keyId);
    expect(after.verify(delivered(signedDuring))).toEqual({ valid: true, keyId: after.keyId });
    expect(after.verify(signedBefore)).toMatchObject({ valid: false, reason: 'unknown-key' });
  });

  it('refuses unsigned decisions and malformed signatures', () => {
    // Prepare
    const ring = keyring();
    const signed = ring.sign(approval());
    const withSignature = (signature: { alg: string; keyId: string; mac: string }) =>
      delivered({ ...signed, payload: { ...signed.payload, signature } });
    const mac = signed.payload.signature?.mac ?? '';
    // Act
    const unsigned = ring.verify(delivered(approval()));
    const none = ring.verify(withSignature({ alg: 'none', keyId: ring.keyId, mac }));
    const sha1 = ring.verify(withSignature({ alg: 'HMAC-SHA1', keyId: ring.keyId, mac }));
    const short = ring.verify(
      withSignature({ alg: 'HMAC-SHA256', keyId: ring.keyId, mac: mac.slice(0, 20) }),
    );
    const notBase64 = ring.verify(
      withSignature({ alg: 'HMAC-SHA256', keyId: ring.keyId, mac: `${mac.slice(1)}!` }),
    );
    // Assess
    expect(unsigned).toEqual({ valid: false, reason: 'missing' });
    for (const outcome of [none, sha1, short, notBase64]) {
      expect(outcome).toEqual({ valid: false, reason: 'malformed', claimedKeyId: ring.keyId });
    }
  });

  it('compares MACs in constant time', () => {
    // Prepare
    const ring = keyring();
    const signed = ring.sign(approval());
    const changed = { ...signed, payload: { ...signed.payload, stepId: 'other' } };
    // Act
    ring.verify(delivered(signed));
    ring.verify(delivered(changed));
    // Assess
    const calls = vi.mocked(timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(2);
    for (const [expected, given] of calls) {
      expect(Buffer.isBuffer(expected) && Buffer.isBuffer(given)).toBe(true);
      expect([(expected as Buffer).length, (given as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('shows key ids, never keys, when serialised', () => {
    // Prepare
    const current = randomBytes(32);
    const previous = randomBytes(32);
    // Act
    const text = JSON.stringify({ config: DecisionKeyring.of(current, previous) });
    // Assess
    expect(JSON.parse(text)).toEqual({
      config: {
        keyId: DecisionKeyring.of(current).keyId,
        previousKeyId: DecisionKeyring.of(previous).keyId,
        generated: false,
      },
    });
    for (const key of [current, previous]) {
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
  });
});

describe('canonicalJson', () => {
  it('gives the same text whatever the key order, leaving undefined members out', () => {
    // Act / Assess
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [2, { x: 0, y: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 'x' })).toBe('{"a":"x","b":1}');
  });
});

describe('signingPublisher', () => {
  it('signs decisions and passes other messages unchanged', async () => {
    // Prepare: a publisher that records what it is given (the SQS side is tested in integration).
    const sent: Publishable[] = [];
    const recording: Publisher<'coordinator'> = {
      publish: async (_queue, messages) => {
        sent.push(...messages);
      },
    };
    const ring = keyring();
    const opened = buildMessage('incident.resolve-requested', {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'api',
      dryRun: false,
      payload: { by: 'Alice', disposition: 'duplicate', category: 'other' },
    });
    const notDecision = { id: 'x', type: 'step.succeeded', incidentId: 'inc-1' };
    // Act
    await signingPublisher(recording, ring).publish('coordinator', [approval(), opened, notDecision]);
    // Assess
    const [signedApproval, signedResolve, other] = sent as [DecisionMessage, DecisionMessage, Publishable];
    expect(ring.verify(delivered(signedApproval))).toMatchObject({ valid: true });
    expect(ring.verify(delivered(signedResolve))).toMatchObject({ valid: true });
    expect(other).toBe(notDecision);
  });
});
