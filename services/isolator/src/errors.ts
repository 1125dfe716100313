import { IrError } from '@ir/runtime';

/**
 * Base of the isolator's own errors. Recognised by `name` and the `retryable` flag (never by
 * `instanceof` across packages), like every IrError.
 */
export class IsolatorError extends IrError {
  override readonly name: string = 'IsolatorError';
}

/**
 * Containment was refused on purpose: a service-linked role, the root user, our own response role, a
 * resource already contained under another incident. Not retryable: it needs a person.
 */
export class ContainmentRefusedError extends IsolatorError {
  override readonly name: string = 'ContainmentRefusedError';
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { retryable: false, reason: 'refused', context });
  }
}

/**
 * The change was made but reading AWS state back did not show it (TRAPS 1, 16). Never reported as
 * success; the step fails with what was seen, so a person looks at the resource.
 */
export class VerificationFailedError extends IsolatorError {
  override readonly name: string = 'VerificationFailedError';
  readonly problems: readonly string[];
  constructor(what: string, problems: readonly string[], context: Record<string, unknown> = {}) {
    super(`${what} not verified: ${problems.join('; ')}`, {
      retryable: false,
      reason: 'verification-failed',
      context: { ...context, problems },
    });
    this.problems = problems;
  }
}

/**
 * IAM refused to attach a quarantine policy: the principal already has the 10 managed policies IAM
 * allows. Not retryable: a person must detach one or contain the principal by hand; the message says
 * which.
 */
export class PolicyLimitExceededError extends IsolatorError {
  override readonly name: string = 'PolicyLimitExceededError';
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { retryable: false, reason: 'policy-limit-exceeded', context, cause });
  }
}

/**
 * A rollback that would weaken a control (re-open world ingress on a customer's security group, stop a
 * trail's logging) and whose pre-state is not restored yet. The isolator may not make that change
 * itself (a service role that can open any group or stop any trail is what an attacker wants), so an
 * operator does, and running the rollback again verifies it. Not retryable: nothing changes until a
 * person acts. `operatorCommands` (also in the context, so in the step's `failure.detail`) are the
 * exact AWS CLI commands that restore the pre-state.
 */
export class OperatorActionRequiredError extends IsolatorError {
  override readonly name: string = 'OperatorActionRequiredError';
  readonly operatorCommands: readonly string[];
  constructor(message: string, operatorCommands: readonly string[], context: Record<string, unknown> = {}) {
    super(message, {
      retryable: false,
      reason: 'operator-action-required',
      context: { ...context, operatorCommands },
    });
    this.operatorCommands = operatorCommands;
  }
}

/** A rollback command whose recorded pre-state is not the shape its containment records. */
export class InvalidPreStateError extends IsolatorError {
  override readonly name: string = 'InvalidPreStateError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, reason: 'invalid-pre-state', cause });
  }
}

/**
 * The protected-tag check before a containment could not read a resource's tags (the response role
 * lacks the read). Never taken as "not protected" (TRAPS 17, 22): the step fails at once, changes
 * nothing, and the message names the permission to add (or a person contains the resource by hand).
 */
export class ProtectionUnreadableError extends IsolatorError {
  override readonly name: string = 'ProtectionUnreadableError';
  constructor(action: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `${action} was not run: the tags of a resource it would change could not be read to check the protected tag (${detail}); give the response role the tag read of docs/iam/isolator-policy.json, or contain the resource by hand`,
      { retryable: false, reason: 'protection-unreadable', cause, context: { action } },
    );
  }
}

/** A resource the command names does not exist (or no longer exists). */
export class ResourceNotFoundError extends IsolatorError {
  override readonly name: string = 'ResourceNotFoundError';
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { retryable: false, reason: 'not-found', context });
  }
}

/** An AWS answer we cannot act on (e.g. a create call that returned no id); retried. */
export class UnexpectedAwsResponseError extends IsolatorError {
  override readonly name: string = 'UnexpectedAwsResponseError';
  constructor(message: string) {
    super(message, { retryable: true, reason: 'unexpected-response' });
  }
}

/** Whether an AWS SDK error (or any thrown value) carries one of these error codes. */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const record = error as Record<string, unknown>;
  // SDK v3 names some errors `<Code>Exception` (IAM's NoSuchEntityException for NoSuchEntity).
  return [record.name, record.Code, record.code].some(
    (value) =>
      typeof value === 'string' && (codes.includes(value) || codes.includes(value.replace(/Exception$/, ''))),
  );
}
