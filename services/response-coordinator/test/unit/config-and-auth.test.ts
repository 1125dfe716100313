import { describe, expect, it } from 'vitest';
import { tokensEqual } from '../../src/api/auth.js';
import { durationSeconds, loadConfig } from '../../src/config.js';
import { deterministicUuid } from '../../src/ids.js';
import { blastWindow } from '../../src/repository/blast-window.js';

const token = 'a-token-of-enough-length';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig({ IR_API_TOKEN: token });
    expect(config).toMatchObject({
      tableName: 'ir-incidents',
      IR_MAX_AUTO_CONTAINMENTS: 5,
      blastWindowSeconds: 3600,
      protectedTag: { key: 'ir:protected', value: 'true' },
    });
  });

  it('names the variable in every error', () => {
    expect(() => loadConfig({})).toThrow(/IR_API_TOKEN/);
    expect(() => loadConfig({ IR_API_TOKEN: token, IR_BLAST_WINDOW: 'soon' })).toThrow(/IR_BLAST_WINDOW/);
    expect(() => loadConfig({ IR_API_TOKEN: token, IR_PROTECTED_TAG: 'nope' })).toThrow(/IR_PROTECTED_TAG/);
    expect(() =>
      loadConfig({
        IR_API_TOKEN: token,
        IR_SWEEP_INTERVAL_SECONDS: '100',
        IR_APPROVAL_TIMEOUT_SECONDS: '50',
      }),
    ).toThrow(/IR_SWEEP_INTERVAL_SECONDS/);
  });

  it('refuses an evidence bucket without the signing key its manifests are verified against', () => {
    // Prepare
    const bucket = { IR_API_TOKEN: token, IR_EVIDENCE_BUCKET: 'ir-evidence-123' };
    // Act / Assess
    expect(() => loadConfig(bucket)).toThrow(/IR_EVIDENCE_BUCKET needs IR_EVIDENCE_SIGNING_KEY/);
    expect(loadConfig({ ...bucket, IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing' })).toMatchObject({
      IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
    });
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

describe('blastWindow and deterministicUuid', () => {
  it('puts times of one window on one key', () => {
    const a = blastWindow(new Date('2024-05-02T14:10:00Z'), 3600);
    const b = blastWindow(new Date('2024-05-02T14:59:59Z'), 3600);
    expect(a.start).toBe('2024-05-02T14:00:00.000Z');
    expect(b.start).toBe(a.start);
    expect(blastWindow(new Date('2024-05-02T15:00:00Z'), 3600).start).not.toBe(a.start);
  });

  it('derives the same UUID from the same parts, and a valid one', () => {
    expect(deterministicUuid('a', 'b')).toBe(deterministicUuid('a', 'b'));
    expect(deterministicUuid('a', 'b')).not.toBe(deterministicUuid('ab'));
    expect(deterministicUuid('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
