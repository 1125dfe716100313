import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('fills every default and derives the table name from the prefix', () => {
    // Prepare
    const env = { IR_PREFIX: 'sec' };
    // Act
    const config = loadConfig(env);
    // Assess
    expect(config).toMatchObject({
      tableName: 'sec-incidents',
      IR_ACCEPT_SAMPLE_FINDINGS: false,
      IR_COALESCE_WINDOW_SECONDS: 3600,
      IR_FINDING_MEMORY_DAYS: 90,
      IR_MAX_FINDING_BYTES: 262_144,
      IR_REEMISSION_FORWARD_SECONDS: 60,
      IR_DRY_RUN: false,
    });
    expect(config.IR_SUPPRESSIONS_FILE).toBeUndefined();
  });

  it('names the variable of a bad value', () => {
    // Prepare
    const env = { IR_ACCEPT_SAMPLE_FINDINGS: 'maybe', IR_COALESCE_WINDOW_SECONDS: '-5' };
    // Act
    const attempt = () => loadConfig(env);
    // Assess
    expect(attempt).toThrow(/IR_ACCEPT_SAMPLE_FINDINGS/);
    expect(attempt).toThrow(/IR_COALESCE_WINDOW_SECONDS/);
  });

  it('refuses a coalescing window longer than the finding memory', () => {
    // Prepare
    const env = { IR_COALESCE_WINDOW_SECONDS: String(3 * 86_400), IR_FINDING_MEMORY_DAYS: '2' };
    // Act
    const attempt = () => loadConfig(env);
    // Assess
    expect(attempt).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        variables: ['IR_COALESCE_WINDOW_SECONDS', 'IR_FINDING_MEMORY_DAYS'],
      }),
    );
  });
});
