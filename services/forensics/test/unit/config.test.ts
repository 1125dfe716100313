import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('defaults to COMPLIANCE in AWS and GOVERNANCE with an emulator endpoint', () => {
    // Prepare
    const base = {
      IR_EVIDENCE_BUCKET: 'ir-evidence-123',
      IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
    };
    // Act
    const production = loadConfig(base);
    const local = loadConfig({ ...base, AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
    // Assess
    expect(production).toMatchObject({
      IR_EVIDENCE_LOCK_MODE: 'COMPLIANCE',
      IR_EVIDENCE_RETENTION_DAYS: 365,
    });
    expect(local.IR_EVIDENCE_LOCK_MODE).toBe('GOVERNANCE');
  });

  it('names the variable when the bucket is missing', () => {
    // Prepare / Act / Assess
    expect(() => loadConfig({})).toThrow(/IR_EVIDENCE_BUCKET/);
  });

  it('names the variable when the signing key is missing (an unsigned chain proves nothing)', () => {
    // Prepare / Act / Assess
    expect(() => loadConfig({ IR_EVIDENCE_BUCKET: 'ir-evidence-123' })).toThrow(/IR_EVIDENCE_SIGNING_KEY/);
  });

  it('refuses an SSM time-out that the handler time-out would cut short', () => {
    // Prepare
    const env = {
      IR_EVIDENCE_BUCKET: 'ir-evidence-123',
      IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
      IR_SSM_COMMAND_TIMEOUT_SECONDS: '290',
    };
    // Act / Assess
    expect(() => loadConfig(env)).toThrow(/IR_SSM_COMMAND_TIMEOUT_SECONDS.*IR_HANDLER_TIMEOUT_SECONDS/);
  });
});
