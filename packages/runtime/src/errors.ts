import type { DeadLetterRedriveProblem } from './dead-letters.js';

/**
 * Errors the runtime understands. Two kinds matter: retryable (the message goes back to the queue and
 * is retried after a back-off through the visibility timeout) and non-retryable (the message goes to
 * the dead-letter queue now, with the reason). Errors are recognised by `name` and a `retryable` flag,
 * never by `instanceof` across packages (two copies of a package must still agree).
 */
export class IrError extends Error {
  override readonly name: string = 'IrError';
  /** Whether trying the same message again may succeed. */
  readonly retryable: boolean;
  /** Machine-readable reason, e.g. `schema`, `unknown-type`, `access-denied`. */
  readonly reason: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: { retryable: boolean; reason: string; cause?: unknown; context?: Record<string, unknown> },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.reason = options.reason;
    this.context = options.context ?? {};
  }
}

/** A failure that may pass: throttling, a 5xx, a network error, a dependency not ready yet. */
export class RetryableError extends IrError {
  override readonly name: string = 'RetryableError';
  constructor(
    message: string,
    options: { reason?: string; cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, { ...options, retryable: true, reason: options.reason ?? 'transient' });
  }
}

/** A failure that will not pass by retrying: bad input, a permanent refusal. Goes to the DLQ at once. */
export class NonRetryableError extends IrError {
  override readonly name: string = 'NonRetryableError';
  constructor(
    message: string,
    options: { reason: string; cause?: unknown; context?: Record<string, unknown> },
  ) {
    super(message, { ...options, retryable: false });
  }
}

/**
 * The system may not act in this account: it is neither ours, nor in `IR_ALLOWED_ACCOUNTS`, nor (with
 * the organizations source) an active account of the organization. Never retried; workers report it as
 * `step.failed` and the coordinator refuses to dispatch, so a person is told.
 */
export class AccountNotAllowedError extends NonRetryableError {
  override readonly name: string = 'AccountNotAllowedError';
  readonly accountId: string;
  constructor(message: string, accountId: string) {
    super(message, { reason: 'account-not-allowed', context: { accountId } });
    this.accountId = accountId;
  }
}

/** Raised by `loadConfig`; names every offending environment variable. */
export class ConfigError extends IrError {
  override readonly name: string = 'ConfigError';
  readonly variables: readonly string[];
  constructor(message: string, variables: readonly string[]) {
    super(message, { retryable: false, reason: 'config' });
    this.variables = variables;
  }
}

/**
 * Receiving from a dead-letter queue failed part-way (the SDK's error is the `cause`). It says what was
 * done before the failure, since a redrive is not undone: the ids a redrive moved, the messages it did
 * not, and how many received messages could not be made visible again (they reappear when their
 * visibility timeout ends).
 */
export class DeadLetterReadError extends IrError {
  override readonly name: string = 'DeadLetterReadError';
  readonly moved: readonly string[];
  readonly problems: readonly DeadLetterRedriveProblem[];
  readonly unreleased: number;
  constructor(
    queueUrl: string,
    cause: unknown,
    progress: {
      readonly moved: readonly string[];
      readonly problems: readonly DeadLetterRedriveProblem[];
      readonly unreleased: number;
    },
  ) {
    super(`receiving from ${queueUrl} failed: ${errorName(cause)}: ${errorMessage(cause)}`, {
      retryable: isRetryable(cause),
      reason: 'dead-letter-read',
      cause,
      context: {
        queueUrl,
        moved: progress.moved.length,
        problems: progress.problems.length,
        unreleased: progress.unreleased,
      },
    });
    this.moved = progress.moved;
    this.problems = progress.problems;
    this.unreleased = progress.unreleased;
  }
}

/** Whether `error` is a {@link DeadLetterReadError} (by name: it may come from another copy of the package). */
export function isDeadLetterReadError(error: unknown): error is DeadLetterReadError {
  return errorName(error) === 'DeadLetterReadError';
}

/** AWS error codes that will not succeed on retry: the step fails at once with the reason. */
const PERMANENT_AWS_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MalformedPolicyDocument',
  'NoSuchEntity',
  'NoSuchBucket',
  'NotFoundException',
  'ResourceNotFoundException',
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
  'InvalidGroup.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidVolume.NotFound',
  'AWS.SimpleQueueService.NonExistentQueue',
  'QueueDoesNotExist',
]);

/** Names of errors raised by @ir/contracts when input fails its schema. */
const CONTRACT_ERRORS = new Set(['ContractError', 'FindingParseError', 'MessageParseError']);

function field(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/** The error's name (or AWS error code), for logs, metrics and DLQ attributes. */
export function errorName(error: unknown): string {
  const name = field(error, 'name');
  if (typeof name === 'string' && name !== 'Error') return name;
  const code = field(error, 'Code') ?? field(error, 'code');
  if (typeof code === 'string') return code;
  return typeof name === 'string' ? name : typeof error;
}

/** The error's message, or a string form of whatever was thrown. */
export function errorMessage(error: unknown): string {
  const message = field(error, 'message');
  return typeof message === 'string' ? message : String(error);
}

/**
 * Decides whether an error is worth retrying. An explicit `retryable` flag wins; contract (schema)
 * errors and permanent AWS errors are not; throttling, 5xx and unknown errors are, because a wrongly
 * retried message still reaches the DLQ through the redrive policy, while a wrongly dropped one is lost.
 */
export function isRetryable(error: unknown): boolean {
  const flag = field(error, 'retryable');
  if (typeof flag === 'boolean') return flag;
  const name = errorName(error);
  if (CONTRACT_ERRORS.has(name)) return false;
  if (PERMANENT_AWS_ERRORS.has(name)) return false;
  const metadata = field(error, '$metadata');
  const status = field(metadata, 'httpStatusCode');
  if (typeof status === 'number' && status >= 400 && status < 500 && !isThrottling(error)) {
    return status === 408 || status === 409;
  }
  return true;
}

/** Whether AWS told us to slow down. */
export function isThrottling(error: unknown): boolean {
  const name = errorName(error);
  return (
    /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|RateExceeded/i.test(name) ||
    field(field(error, '$metadata'), 'httpStatusCode') === 429
  );
}

/** Machine-readable reason for an error: its own `reason`, else its name. */
export function errorReason(error: unknown): string {
  const reason = field(error, 'reason');
  return typeof reason === 'string' ? reason : errorName(error);
}
