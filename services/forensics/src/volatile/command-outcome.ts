/** Final outcomes of an SSM command invocation, a bounded set (also a metric label). */
export const CommandOutcome = {
  success: 'success',
  failed: 'failed',
  timedOut: 'timed_out',
  undeliverable: 'undeliverable',
  cancelled: 'cancelled',
} as const;
export type CommandOutcome = (typeof CommandOutcome)[keyof typeof CommandOutcome];

/** The fields of `GetCommandInvocation` that decide the outcome. */
export interface InvocationStatus {
  readonly Status?: string | undefined;
  readonly StatusDetails?: string | undefined;
}

/**
 * Maps an invocation to its final outcome, or `null` while it is still running. Why StatusDetails
 * first: `Status: Failed` covers both a command that ran and failed and one that never reached the
 * agent (`Undeliverable`, `Terminated`, `InvalidPlatform`), and a person needs to know which.
 */
export function outcomeOf(invocation: InvocationStatus): CommandOutcome | null {
  switch (invocation.StatusDetails) {
    case 'Undeliverable':
    case 'Terminated':
    case 'InvalidPlatform':
    case 'AccessDenied':
      return CommandOutcome.undeliverable;
    case 'DeliveryTimedOut':
    case 'ExecutionTimedOut':
      return CommandOutcome.timedOut;
    default:
      break;
  }
  switch (invocation.Status) {
    case 'Success':
      return CommandOutcome.success;
    case 'Failed':
      return CommandOutcome.failed;
    case 'TimedOut':
      return CommandOutcome.timedOut;
    case 'Cancelled':
    case 'Cancelling':
      return CommandOutcome.cancelled;
    default:
      return null;
  }
}
