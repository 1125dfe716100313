import type { z } from 'zod';

/** One problem with an input: where it is (dotted path) and what is wrong with it. */
export interface ContractIssue {
  /** Dotted path into the input, e.g. `detail.resource.instanceDetails.networkInterfaces[0].subnetId`. */
  path: string;
  /** What is wrong there, in words a person can act on. */
  message: string;
}

/** Why a finding could not be turned into `Finding`s. */
export type FindingParseReason =
  | 'not-json'
  | 'unknown-format'
  | 'unknown-detail-type'
  | 'schema'
  | 'no-resource';

/** Why a queue message was rejected. */
export type MessageParseReason = 'not-json' | 'unknown-type' | 'schema';

/** Construction options shared by every contract error. */
export interface ContractErrorOptions {
  reason: string;
  issues: ContractIssue[];
  cause?: unknown;
}

/** The names `isContractError` recognises; other packages check by name, not `instanceof`. */
const contractErrorNames: ReadonlySet<string> = new Set([
  'ContractError',
  'FindingParseError',
  'MessageParseError',
]);

/**
 * Base of every error thrown when input does not meet a contract.
 * Why non-retryable: the same bytes fail the same way on every delivery, so the runtime sends the
 * message to its DLQ at once, with `reason` and `issues` as the explanation.
 */
export class ContractError extends Error {
  override readonly name: string = 'ContractError';
  /** Input errors never heal on retry. */
  readonly retryable = false;
  /** Machine-readable reason (a closed set per subclass). */
  readonly reason: string;
  /** Every field that failed, by dotted path. */
  readonly issues: ContractIssue[];

  constructor(prefix: string, options: ContractErrorOptions) {
    super(`${prefix} (${options.reason}): ${describeIssues(options.issues)}`, { cause: options.cause });
    this.reason = options.reason;
    this.issues = options.issues;
  }
}

/** A finding (GuardDuty, Security Hub or native) that cannot be parsed; names the field(s). */
export class FindingParseError extends ContractError {
  override readonly name: string = 'FindingParseError';
  declare readonly reason: FindingParseReason;

  constructor(reason: FindingParseReason, issues: ContractIssue[], options: { cause?: unknown } = {}) {
    super('Finding rejected', { reason, issues, cause: options.cause });
  }
}

/** A queue message that is not JSON, has an unknown `type`, or fails its schema. */
export class MessageParseError extends ContractError {
  override readonly name: string = 'MessageParseError';
  declare readonly reason: MessageParseReason;

  constructor(reason: MessageParseReason, issues: ContractIssue[], options: { cause?: unknown } = {}) {
    super('Message rejected', { reason, issues, cause: options.cause });
  }
}

/** Narrowed shape of any contract error, usable without importing the classes. */
export type ContractErrorLike = Error & {
  readonly reason: string;
  readonly issues: ContractIssue[];
  readonly retryable: false;
};

/**
 * True for any contract error, recognised by `name` so that it works across package copies and
 * realms where `instanceof` does not.
 */
export function isContractError(error: unknown): error is ContractErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { name?: unknown }).name === 'string' &&
    contractErrorNames.has((error as { name: string }).name) &&
    Array.isArray((error as { issues?: unknown }).issues)
  );
}

/** True for a `FindingParseError` (by name). */
export function isFindingParseError(error: unknown): error is FindingParseError {
  return isContractError(error) && error.name === 'FindingParseError';
}

/** True for a `MessageParseError` (by name). */
export function isMessageParseError(error: unknown): error is MessageParseError {
  return isContractError(error) && error.name === 'MessageParseError';
}

/** Formats a path as `a.b[0].c`; the root is `(root)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Turns zod issues into contract issues, with `prefix` put before each path and `rename` applied to
 * each key (e.g. to name a PascalCase field when the schema was written in camelCase).
 */
export function issuesFromZod(
  error: z.ZodError,
  prefix: ReadonlyArray<PropertyKey> = [],
  rename: (key: string) => string = (key) => key,
): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([
      ...prefix,
      ...issue.path.map((segment) => (typeof segment === 'string' ? rename(segment) : segment)),
    ]),
    message: issue.message,
  }));
}

function describeIssues(issues: ContractIssue[]): string {
  if (issues.length === 0) return 'no detail';
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
