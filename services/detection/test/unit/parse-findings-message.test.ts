import {
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  nativeFinding,
  securityHubImportedEvent,
} from '@ir/testkit';
import { isRetryable } from '@ir/runtime';
import { describe, expect, it } from 'vitest';
import { findingsParser } from '../../src/parse-findings-message.js';

function parser(maxBytes = 262_144) {
  const rejected: string[] = [];
  const parse = findingsParser({
    maxBytes,
    now: () => new Date('2025-01-01T00:00:00.000Z'),
    onRejected: (source) => rejected.push(source),
  });
  return { parse: (body: string) => parse({ Body: body }), rejected };
}

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('findingsParser', () => {
  it.each([
    ['guardduty-eventbridge', JSON.stringify(guardDutyEventBridgeFinding()), 1],
    ['guardduty-api', JSON.stringify({ Findings: [guardDutyApiFinding(), guardDutyApiFinding()] }), 2],
    ['securityhub-eventbridge', JSON.stringify(securityHubImportedEvent({ findings: 4 })), 4],
    ['native', JSON.stringify(nativeFinding()), 1],
  ])('parses %s into its findings, labelled by format', (format, body, count) => {
    // Prepare
    const { parse, rejected } = parser();
    // Act
    const parsed = parse(body);
    // Assess
    expect(parsed.type).toBe(format);
    expect(parsed.value.findings).toHaveLength(count);
    expect(rejected).toEqual([]);
  });

  it.each([
    ['not-json', '{"oops"', 'unknown'],
    ['unknown-format', '{"hello":"world"}', 'unknown'],
    ['schema', JSON.stringify({ ...nativeFinding(), accountId: '12' }), 'native'],
  ])('rejects %s input as non-retryable and counts it', (reason, body, source) => {
    // Prepare
    const { parse, rejected } = parser();
    // Act
    const error = failure(() => parse(body));
    // Assess
    expect(error).toMatchObject({ reason });
    expect(isRetryable(error)).toBe(false);
    expect(rejected).toEqual([source]);
  });

  it('rejects a body over the size limit before parsing it, and accepts one exactly at it', () => {
    // Prepare
    const body = JSON.stringify(nativeFinding());
    const { parse } = parser(Buffer.byteLength(body));
    // Act
    const atLimit = parse(body);
    const error = failure(() => parse(`${body} `));
    // Assess
    expect(atLimit.value.findings).toHaveLength(1);
    expect(error).toMatchObject({ name: 'FindingTooLargeError', reason: 'too-large' });
    expect(isRetryable(error)).toBe(false);
  });
});
