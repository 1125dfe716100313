import type { ContractIssue } from '@ir/contracts';

/** Construction options of {@link PlaybookError}. */
export interface PlaybookErrorOptions {
  /** The playbook file (absolute path), or `<playbook id>` for a playbook not loaded from a file. */
  file: string;
  /** Dotted path inside the playbook, e.g. `steps[2].params.instanceId`; `(root)` for the whole file. */
  path: string;
  /** Every problem found, by path; the first one is `path`. */
  issues?: ContractIssue[];
  cause?: unknown;
}

/**
 * A playbook that cannot be used: unreadable, not YAML, fails the schema, or names a dependency,
 * variable or parameter that does not exist; or no playbook matches a finding.
 * Why it names the file and the path: the person fixing it at 2 a.m. should not have to guess.
 * Never retryable: the same file fails the same way every time.
 */
export class PlaybookError extends Error {
  override readonly name = 'PlaybookError';
  readonly retryable = false;
  readonly file: string;
  readonly path: string;
  readonly issues: ContractIssue[];

  constructor(message: string, options: PlaybookErrorOptions) {
    super(`${options.file}: ${options.path}: ${message}`, { cause: options.cause });
    this.file = options.file;
    this.path = options.path;
    this.issues = options.issues ?? [{ path: options.path, message }];
  }
}

/** True for a {@link PlaybookError}, recognised by name (works across package copies). */
export function isPlaybookError(error: unknown): error is PlaybookError {
  return (
    error instanceof Error &&
    error.name === 'PlaybookError' &&
    typeof (error as { file?: unknown }).file === 'string' &&
    typeof (error as { path?: unknown }).path === 'string'
  );
}
