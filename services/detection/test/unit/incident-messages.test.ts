import { parseFindings } from '@ir/contracts';
import { nativeFinding } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { fitFinding, incidentMessage } from '../../src/incident-messages.js';

const [finding] = parseFindings(nativeFinding({ findingId: 'fit-1' }));
if (!finding) throw new Error('factory finding did not parse');

describe('fitFinding', () => {
  it('keeps a finding that fits whole', () => {
    // Prepare / Act
    const fitted = fitFinding(finding);
    // Assess
    expect(fitted).toBe(finding);
  });

  it('replaces raw by its size and SHA-256 when the whole finding is too big', () => {
    // Prepare
    const big = { ...finding, raw: { padding: 'x'.repeat(5000) } };
    // Act
    const fitted = fitFinding(big, 3000);
    // Assess
    expect(fitted.raw).toEqual({
      omitted: 'too-large',
      bytes: 5014,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(fitted.id).toBe('fit-1');
  });

  it('refuses a finding too big even without raw', () => {
    // Prepare
    const big = { ...finding, description: 'x'.repeat(5000) };
    // Act
    const attempt = () => fitFinding(big, 3000);
    // Assess
    expect(attempt).toThrow(expect.objectContaining({ name: 'FindingTooLargeError', retryable: false }));
  });
});

describe('incidentMessage', () => {
  it('builds incident.opened with the outbox id, the incident as correlation and the flag', () => {
    // Prepare
    const entry = {
      slot: 'first',
      kind: 'opened',
      incidentId: 'inc-1',
      messageId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
      receivedAt: '2025-01-01T00:00:00.000Z',
      suppressionUnevaluated: true,
    } as const;
    // Act
    const message = incidentMessage(entry, finding, {
      dryRun: true,
      now: () => new Date('2025-01-01T00:00:01.000Z'),
    });
    // Assess
    expect(message).toMatchObject({
      id: entry.messageId,
      type: 'incident.opened',
      incidentId: 'inc-1',
      correlationId: 'inc-1',
      causationId: null,
      producer: 'detection',
      dryRun: true,
      payload: {
        severityBand: 'HIGH',
        receivedAt: entry.receivedAt,
        flags: { suppressionUnevaluated: true },
      },
    });
  });

  it('builds incident.updated with the reason', () => {
    // Prepare
    const entry = {
      slot: 'last',
      kind: 're-emitted',
      incidentId: 'inc-1',
      messageId: '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
      receivedAt: '2025-01-01T00:00:00.000Z',
      suppressionUnevaluated: false,
    } as const;
    // Act
    const message = incidentMessage(entry, finding, { dryRun: false, now: () => new Date() });
    // Assess
    expect(message).toMatchObject({ type: 'incident.updated', payload: { reason: 're-emitted' } });
  });
});
