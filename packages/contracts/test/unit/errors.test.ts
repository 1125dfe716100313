import { ContractError, FindingParseError, isContractError, MessageParseError } from '@ir/contracts';
import { describe, expect, it } from 'vitest';

describe('contract errors', () => {
  it('name the field and reason in the message and are not retryable', () => {
    // Prepare
    const issues = [{ path: 'detail.severity', message: 'expected number' }];
    // Act
    const error = new FindingParseError('schema', issues, { cause: new Error('inner') });
    // Assess
    expect(error.name).toBe('FindingParseError');
    expect(error.message).toContain('detail.severity');
    expect(error.message).toContain('schema');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ContractError);
  });

  it('are recognised by name, also when rebuilt from a plain object', () => {
    // Prepare
    const message = new MessageParseError('unknown-type', [{ path: 'type', message: 'unknown' }]);
    const lookalike = {
      name: 'FindingParseError',
      message: 'x',
      reason: 'schema',
      issues: [],
      retryable: false,
    };
    // Act / Assess
    expect(isContractError(message)).toBe(true);
    expect(isContractError(lookalike)).toBe(true);
    expect(isContractError(new Error('plain'))).toBe(false);
    expect(isContractError(null)).toBe(false);
    expect(isContractError('FindingParseError')).toBe(false);
  });
});
