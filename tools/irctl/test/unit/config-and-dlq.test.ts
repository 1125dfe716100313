import { describe, expect, it } from 'vitest';
import { DEFAULT_API_URL, loadConfig, tokenSentInClear } from '../../src/config.js';
import { ConfigurationError } from '../../src/errors.js';
import { logicalQueue } from '../../src/queues.js';

describe('loadConfig', () => {
  it('defaults to the pnpm dev coordinator, us-east-1 and prefix ir, and treats empty values as unset', () => {
    // Prepare
    const environment = { IR_API_TOKEN: '', IR_PREFIX: '' };
    // Act
    const config = loadConfig(environment);
    // Assess
    expect(config).toMatchObject({ IR_API_URL: DEFAULT_API_URL, AWS_REGION: 'us-east-1', IR_PREFIX: 'ir' });
    expect(config.IR_API_TOKEN).toBeUndefined();
  });

  it('names every invalid variable', () => {
    // Prepare
    const environment = { IR_PREFIX: 'bad prefix!', IR_EVIDENCE_BUCKET: 'Not_A_Bucket' };
    // Act
    const act = () => loadConfig(environment);
    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/IR_PREFIX: .*IR_EVIDENCE_BUCKET: an S3 bucket name/);
  });

  it('sees a token that would cross a network in clear text', () => {
    // Prepare
    const urls = [
      'http://127.0.0.1:9102',
      'http://localhost:1',
      'https://ir.example.com',
      'http://ir.example.com',
    ];
    // Act
    const clear = urls.map(tokenSentInClear);
    // Assess
    expect(clear).toEqual([false, false, false, true]);
  });
});

describe('logicalQueue', () => {
  it('accepts logical, prefixed and -dlq names of the five queues, and nothing else', () => {
    // Prepare
    const names = ['findings', 'ir-findings', 'ir-coordinator-dlq', 'notifier'];
    // Act
    const resolved = names.map((name) => logicalQueue(name, 'ir', 'dlq list'));
    // Assess
    expect(resolved).toEqual(['findings', 'findings', 'coordinator', 'notifier']);
    expect(() => logicalQueue('payments', 'ir', 'dlq list')).toThrow(/unknown queue "payments"/);
    expect(() => logicalQueue('other-findings', 'ir', 'dlq list')).toThrow(/unknown queue/);
  });
});
