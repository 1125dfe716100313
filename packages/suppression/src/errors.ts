import { IrError } from '@ir/runtime';

/**
 * A suppression rule item in the incident table that does not parse. Why an error and not a skipped
 * rule: readers keep the rules they had (detection) or answer 503 (the API) rather than act on a set
 * of rules with one silently missing.
 */
export class CorruptSuppressionRuleError extends IrError {
  override readonly name: string = 'CorruptSuppressionRuleError';
  constructor(key: string, detail: string) {
    super(`suppression rule item ${key} is not a valid rule: ${detail}`, {
      retryable: false,
      reason: 'corrupt-suppression-rule',
      context: { key },
    });
  }
}

/** True for {@link CorruptSuppressionRuleError}, by name (works across package copies). */
export function isCorruptSuppressionRule(error: unknown): error is CorruptSuppressionRuleError {
  return error instanceof Error && error.name === 'CorruptSuppressionRuleError';
}
