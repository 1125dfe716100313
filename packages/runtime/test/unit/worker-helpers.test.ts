import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  chunkForBatch,
  createLogger,
  partitionOf,
  retryDelaySeconds,
  roleSessionName,
} from '../../src/index.js';

describe('retryDelaySeconds', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 2, 300))).toEqual([2, 4, 8, 16]);
    expect(retryDelaySeconds(30, 2, 300)).toBe(300);
  });
});

describe('chunkForBatch', () => {
  it('keeps at most 10 entries per batch', () => {
    const chunks = chunkForBatch(
      Array.from({ length: 23 }, (_, i) => i),
      () => 10,
    );
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 3]);
  });

  it('starts a new batch before the payload limit is exceeded', () => {
    const chunks = chunkForBatch(['a', 'b', 'c'], () => 400_000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 1]);
  });
});

describe('roleSessionName', () => {
  it('carries the incident id within STS limits', () => {
    expect(roleSessionName('inc-2026-abc', 'isolator')).toBe('ir-inc-2026-abc');
    const long = roleSessionName('x'.repeat(100), 'isolator');
    expect(long).toHaveLength(64);
    expect(roleSessionName('a b/c', 'isolator')).toBe('ir-a-b-c');
    expect(roleSessionName(undefined, 'isolator')).toBe('ir-isolator');
  });
});

describe('partitionOf', () => {
  it('maps regions to partitions', () => {
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the service name and redacts secrets', async () => {
    // Prepare
    const sink = new PassThrough();
    const lines: string[] = [];
    sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    const logger = createLogger({ service: 'notifier', destination: sink });
    // Act
    logger
      .child({ incidentId: 'inc-1' })
      .info({ channel: { token: 'xoxb-secret', name: 'slack' } }, 'notified');
    await new Promise((resolve) => setImmediate(resolve));
    // Assess
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ service: 'notifier', incidentId: 'inc-1', msg: 'notified', level: 'info' });
    expect(JSON.stringify(line)).not.toContain('xoxb-secret');
  });
});
