/** Base class of every error the testkit throws; recognise them by `name`, not `instanceof`. */
export class TestkitError extends Error {
  override readonly name: string = 'TestkitError';
  /** Facts that help the reader act on the error (paths, endpoints, output tails). */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** The AWS emulator could not be installed, started, reached or reset. */
export class EmulatorError extends TestkitError {
  override readonly name = 'EmulatorError';
}

/** Bootstrapping or a resource factory met AWS state it cannot converge. */
export class ResourceSetupError extends TestkitError {
  override readonly name = 'ResourceSetupError';
}

/** True for any error thrown by the testkit. */
export function isTestkitError(error: unknown): error is TestkitError {
  return (
    error instanceof Error &&
    ['TestkitError', 'EmulatorError', 'ResourceSetupError'].includes(error.name) &&
    'context' in error
  );
}
