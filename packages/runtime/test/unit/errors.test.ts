import { describe, expect, it } from 'vitest';
import {
  errorName,
  errorReason,
  isRetryable,
  isThrottling,
  NonRetryableError,
  RetryableError,
} from '../../src/index.js';

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('isRetryable', () => {
  it('honours an explicit retryable flag', () => {
    expect(isRetryable(new RetryableError('later'))).toBe(true);
    expect(isRetryable(new NonRetryableError('never', { reason: 'schema' }))).toBe(false);
  });

  it('never retries contract errors, recognised by name across package copies', () => {
    const foreign = Object.assign(new Error('bad field'), { name: 'MessageParseError' });
    expect(isRetryable(foreign)).toBe(false);
  });

  it('retries throttling and 5xx, not access denied or validation', () => {
    expect(isRetryable(awsError('ThrottlingException', 400))).toBe(true);
    expect(isRetryable(awsError('InternalError', 500))).toBe(true);
    expect(isRetryable(awsError('AccessDenied', 403))).toBe(false);
    expect(isRetryable(awsError('ValidationError', 400))).toBe(false);
    expect(isRetryable(awsError('SomethingClientSide', 400))).toBe(false);
  });

  it('retries what it cannot classify, because the redrive policy still catches it', () => {
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
  });
});

describe('isThrottling', () => {
  it('recognises throttling by name and by 429', () => {
    expect(isThrottling(awsError('Throttling', 400))).toBe(true);
    expect(isThrottling(awsError('RequestLimitExceeded', 503))).toBe(true);
    expect(isThrottling(awsError('Whatever', 429))).toBe(true);
    expect(isThrottling(awsError('AccessDenied', 403))).toBe(false);
  });
});

describe('errorName and errorReason', () => {
  it('prefer the explicit reason, then the name or AWS code', () => {
    expect(errorReason(new NonRetryableError('x', { reason: 'unknown-type' }))).toBe('unknown-type');
    expect(errorName({ Code: 'NoSuchBucket', message: 'gone' })).toBe('NoSuchBucket');
    expect(errorReason(awsError('AccessDenied', 403))).toBe('AccessDenied');
  });
});
