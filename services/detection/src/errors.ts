import { IrError } from '@ir/runtime';

/**
 * Errors of the detection service. The runtime recognises them by `name` and the `retryable` flag
 * (never `instanceof` across packages): retryable ones go back to the queue with a back-off,
 * non-retryable ones go to the findings DLQ at once with `reason` as `ir-dlq-reason`.
 */
export class DetectionError extends IrError {
  override readonly name: string = 'DetectionError';
}

/**
 * A message body bigger than `IR_MAX_FINDING_BYTES`, or a finding too big to forward to the
 * coordinator even without its raw copy. Never heals on retry, so it goes to the DLQ with the size.
 */
export class FindingTooLargeError extends DetectionError {
  override readonly name: string = 'FindingTooLargeError';
  constructor(message: string, context: Record<string, unknown>) {
    super(message, { retryable: false, reason: 'too-large', context });
  }
}

/**
 * Replicas kept changing the coalescing items of one finding or resource under us. Retried through
 * the queue: by the next delivery the other writers are done and the decision is clear.
 */
export class CoalescingContentionError extends DetectionError {
  override readonly name: string = 'CoalescingContentionError';
  constructor(message: string, context: Record<string, unknown>) {
    super(message, { retryable: true, reason: 'coalescing-contention', context });
  }
}

/**
 * The suppression rules file cannot be read or is invalid. Raised at start, so the service stops
 * with the rule name and field instead of running with rules nobody meant.
 */
export class SuppressionRulesError extends DetectionError {
  override readonly name: string = 'SuppressionRulesError';
  readonly variables = ['IR_SUPPRESSIONS_FILE'] as const;
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, { retryable: false, reason: 'config', ...options });
  }
}

/** True for any detection error, by name (works across package copies). */
export function isDetectionError(error: unknown): error is DetectionError {
  return (
    error instanceof Error &&
    ['DetectionError', 'FindingTooLargeError', 'CoalescingContentionError', 'SuppressionRulesError'].includes(
      error.name,
    )
  );
}
