import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig, WorkerEnv } from '../../src/index.js';

describe('loadConfig', () => {
  it('applies defaults for a minimal environment', () => {
    const config = loadConfig(WorkerEnv, {});
    expect(config.IR_PREFIX).toBe('ir');
    expect(config.AWS_REGION).toBe('us-east-1');
    expect(config.IR_WORKER_CONCURRENCY).toBe(5);
    expect(config.LOG_PRETTY).toBe(false);
  });

  it('names every invalid variable', () => {
    // Prepare
    const environment = { IR_WORKER_CONCURRENCY: '50', IR_PREFIX: 'bad prefix!' };
    // Act
    const error = (() => {
      try {
        loadConfig(WorkerEnv, environment);
      } catch (caught: unknown) {
        return caught;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variables).toEqual(expect.arrayContaining(['IR_WORKER_CONCURRENCY', 'IR_PREFIX']));
    expect(configError.message).toMatch(
      /IR_WORKER_CONCURRENCY: .*IR_PREFIX|IR_PREFIX: .*IR_WORKER_CONCURRENCY/,
    );
  });

  it('refuses a heartbeat that is not shorter than the visibility timeout', () => {
    expect(() =>
      loadConfig(WorkerEnv, { IR_HEARTBEAT_SECONDS: '30', IR_VISIBILITY_TIMEOUT_SECONDS: '30' }),
    ).toThrow(/IR_HEARTBEAT_SECONDS \(30\) must be shorter than IR_VISIBILITY_TIMEOUT_SECONDS/);
  });

  it('lets a service extend the shared schema', () => {
    const ServiceEnv = WorkerEnv.extend({ IR_API_TOKEN: z.string().min(16) });
    expect(() => loadConfig(ServiceEnv, { IR_API_TOKEN: 'short' })).toThrow(/IR_API_TOKEN/);
  });
});

describe('redactConfig', () => {
  it('hides secret-looking variables and keeps the rest', () => {
    const redacted = redactConfig({
      IR_API_TOKEN: 'abc',
      IR_SLACK_WEBHOOK_URL: 'https://hooks.example/x',
      IR_MEMBER_ROLE_EXTERNAL_ID: 'ext',
      IR_PREFIX: 'ir',
    });
    expect(redacted).toEqual({
      IR_API_TOKEN: '[redacted]',
      IR_SLACK_WEBHOOK_URL: '[redacted]',
      IR_MEMBER_ROLE_EXTERNAL_ID: '[redacted]',
      IR_PREFIX: 'ir',
    });
  });
});
