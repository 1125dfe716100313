/**
 * Exit codes of irctl, one per kind of outcome, so a script can tell "the evidence is tampered with"
 * from "I typed the wrong id" from "the coordinator is down" without parsing text.
 */
export const ExitCode = {
  /** The command did what was asked (and, for verify, everything checked out). */
  ok: 0,
  /** The command ran but its outcome is a failure: evidence problems, messages not moved, a wait timed out. */
  failed: 1,
  /** Wrong arguments, invalid input file, or configuration missing or invalid. */
  usage: 2,
  /** No such incident, step or queue. */
  notFound: 3,
  /** The coordinator refused the decision in the incident's current state (HTTP 409). */
  conflict: 4,
  /** The coordinator or AWS could not be reached, or answered with an error. */
  unavailable: 5,
  /**
   * No usable token (none given or cached, or the cached one expired: run irctl login), the identity
   * provider refused the login, or the coordinator refused the token (HTTP 401/403) or AWS the credentials.
   */
  unauthorized: 6,
} as const;
/** @see ExitCode */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Base of every error irctl reports: a message for a person and the exit code it maps to.
 * Recognised by {@link isIrctlError} (by name), never by `instanceof` across packages.
 */
export class IrctlError extends Error {
  override readonly name: string = 'IrctlError';
  readonly exitCode: ExitCode;
  /** Extra facts for `--json` error output (never a secret). */
  readonly detail: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    exitCode: ExitCode,
    options: { cause?: unknown; detail?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitCode;
    this.detail = options.detail ?? {};
  }
}

/** Unknown command or option, missing argument, or a value that does not parse. */
export class UsageError extends IrctlError {
  override readonly name: string = 'UsageError';
  /** The command whose usage should be shown; undefined for the top level. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message, ExitCode.usage);
    this.command = command;
  }
}

/** A configuration variable missing or invalid; the message names it. */
export class ConfigurationError extends IrctlError {
  override readonly name: string = 'ConfigurationError';
  readonly variables: readonly string[];
  constructor(message: string, variables: readonly string[]) {
    super(message, ExitCode.usage, { detail: { variables } });
    this.variables = variables;
  }
}

/** An input file that is unreadable, too large, or not a valid finding; the message names the field. */
export class InputError extends IrctlError {
  override readonly name: string = 'InputError';
  constructor(message: string, options: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** The coordinator API answered with an error status, or could not be reached. */
export class ApiError extends IrctlError {
  override readonly name: string = 'ApiError';
  /** HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options: { cause?: unknown } = {}) {
    super(message, exitCodeOfStatus(status), { ...options, detail: { status: status ?? null } });
    this.status = status;
  }
}

/**
 * No usable token for the coordinator API: none given, none cached, or the cached one expired and
 * could not be refreshed. The message always ends in what to do (`run irctl login`).
 */
export class LoginRequiredError extends IrctlError {
  override readonly name: string = 'LoginRequiredError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, ExitCode.unauthorized, options);
  }
}

/** `irctl login` failed: the identity provider refused, the code expired, or it could not be reached. */
export class LoginError extends IrctlError {
  override readonly name: string = 'LoginError';
}

/**
 * The token cache cannot be used safely or at all: readable by other users, not a file irctl wrote,
 * or not writable. Never silently ignored: a token others can read must be revoked, not reused.
 */
export class TokenCacheError extends IrctlError {
  override readonly name: string = 'TokenCacheError';
  constructor(message: string, options: { cause?: unknown; detail?: Record<string, unknown> } = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** An AWS call irctl made itself (SQS, S3) failed. */
export class AwsCallError extends IrctlError {
  override readonly name: string = 'AwsCallError';
}

/** The exit code an HTTP status of the coordinator maps to. */
export function exitCodeOfStatus(status: number | undefined): ExitCode {
  if (status === undefined) return ExitCode.unavailable;
  if (status === 401 || status === 403) return ExitCode.unauthorized;
  if (status === 404) return ExitCode.notFound;
  if (status === 409) return ExitCode.conflict;
  if (status === 400) return ExitCode.usage;
  return ExitCode.unavailable;
}

/** True for any irctl error, recognised by its `exitCode` and name. */
export function isIrctlError(error: unknown): error is IrctlError {
  return (
    error instanceof Error &&
    typeof (error as { exitCode?: unknown }).exitCode === 'number' &&
    [
      'IrctlError',
      'UsageError',
      'ConfigurationError',
      'InputError',
      'ApiError',
      'AwsCallError',
      'LoginRequiredError',
      'LoginError',
      'TokenCacheError',
    ].includes(error.name)
  );
}
