import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterReadError,
  DlqAttribute,
  describeDeadLetter,
  isDeadLetterReadError,
  isRetryable,
  RETRIES_EXHAUSTED,
  redriveAttributes,
} from '../../src/index.js';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

describe('describeDeadLetter', () => {
  it('reads the runtime reason attributes, and calls a message without them retries-exhausted', () => {
    // Prepare
    const withReason: Message = {
      MessageId: 'm-1',
      Body: '{}',
      MessageAttributes: {
        [DlqAttribute.reason]: text('schema'),
        [DlqAttribute.error]: text('FindingParseError'),
        [DlqAttribute.detail]: text('detail.id: expected string'),
        [DlqAttribute.receiveCount]: text('1'),
        type: text('guardduty-eventbridge'),
      },
    };
    const byRedrivePolicy: Message = {
      MessageId: 'm-2',
      Body: '{}',
      Attributes: { ApproximateReceiveCount: '6' },
    };
    // Act
    const first = describeDeadLetter(withReason);
    const second = describeDeadLetter(byRedrivePolicy);
    // Assess
    expect(first).toMatchObject({
      reason: 'schema',
      error: 'FindingParseError',
      detail: 'detail.id: expected string',
      type: 'guardduty-eventbridge',
    });
    expect(second).toMatchObject({ reason: RETRIES_EXHAUSTED, receiveCount: '6', error: null });
  });
});

describe('redriveAttributes', () => {
  it('strips the ir-dlq-* attributes for a redrive and keeps every other one', () => {
    // Prepare
    const message: Message = {
      MessageAttributes: {
        [DlqAttribute.reason]: text('schema'),
        [DlqAttribute.sourceQueue]: text('findings'),
        'ir-dry-run': text('true'),
        incidentId: { ...text('inc-1'), StringListValues: [] },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
      },
    };
    // Act
    const kept = redriveAttributes(message);
    // Assess
    expect(kept).toEqual({
      'ir-dry-run': text('true'),
      incidentId: text('inc-1'),
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
    });
  });
});

describe('DeadLetterReadError', () => {
  it('names the SDK error, keeps it as the cause, says what was done, and retries as the cause would', () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    // Act
    const error = new DeadLetterReadError('https://sqs/q-dlq', throttled, {
      moved: ['m-1'],
      problems: [],
      unreleased: 2,
    });
    const refused = new DeadLetterReadError('https://sqs/q-dlq', denied, {
      moved: [],
      problems: [],
      unreleased: 0,
    });
    // Assess
    expect(error.message).toBe('receiving from https://sqs/q-dlq failed: ThrottlingException: Rate exceeded');
    expect(error.cause).toBe(throttled);
    expect(error).toMatchObject({ moved: ['m-1'], unreleased: 2 });
    expect(isDeadLetterReadError(error)).toBe(true);
    expect(isDeadLetterReadError(throttled)).toBe(false);
    expect(isRetryable(error)).toBe(true);
    expect(isRetryable(refused)).toBe(false);
  });
});
