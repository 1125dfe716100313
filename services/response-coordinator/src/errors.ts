import { IrError } from '@ir/runtime';
import type { RefusalReason } from './decision-signing.js';

/**
 * Errors of the response coordinator. The runtime reads `retryable` (and `reason` for the DLQ):
 * a message about an incident or step that does not exist can never succeed and goes to the DLQ
 * now; a lost race with another replica or a DynamoDB hiccup is retried through the queue.
 */
export class CoordinatorError extends IrError {
  override readonly name: string = 'CoordinatorError';
}

/** A message names an incident the table does not hold. */
export class UnknownIncidentError extends CoordinatorError {
  override readonly name = 'UnknownIncidentError';
  constructor(incidentId: string, messageType: string) {
    super(`incident ${incidentId} does not exist (message ${messageType})`, {
      retryable: false,
      reason: 'unknown-incident',
      context: { incidentId, messageType },
    });
  }
}

/** A message names a step the incident does not have, or a result whose action does not match it. */
export class UnknownStepError extends CoordinatorError {
  override readonly name = 'UnknownStepError';
  constructor(incidentId: string, stepId: string, detail: string) {
    super(`incident ${incidentId} has no matching step ${stepId}: ${detail}`, {
      retryable: false,
      reason: 'unknown-step',
      context: { incidentId, stepId },
    });
  }
}

/**
 * An operator decision whose signature does not prove the operator API sent it (missing, malformed,
 * an unknown key, or a MAC that does not match): refused before anything is decided, and sent to the
 * DLQ now with `decision-signature-<why>` as its reason. Never retried: no retry makes it genuine.
 */
export class ForgedDecisionError extends CoordinatorError {
  override readonly name = 'ForgedDecisionError';
  constructor(incidentId: string, messageType: string, why: RefusalReason) {
    super(`refused ${messageType} for incident ${incidentId}: its signature is ${REFUSALS[why]}`, {
      retryable: false,
      reason: `decision-signature-${why}`,
      context: { incidentId, messageType, why },
    });
  }
}

const REFUSALS: Record<RefusalReason, string> = {
  missing: 'missing (not sent by the operator API)',
  malformed: 'malformed (not HMAC-SHA256 with a 32-byte MAC)',
  'unknown-key': 'made with a key this coordinator does not hold',
  mismatch: 'not valid for this message (changed after signing, or signed with another key)',
};

/** Another writer kept winning the conditional write; the message is retried from the queue. */
export class ConcurrentUpdateError extends CoordinatorError {
  override readonly name = 'ConcurrentUpdateError';
  constructor(incidentId: string, attempts: number, cause?: unknown) {
    super(`incident ${incidentId} changed under us ${attempts} times in a row`, {
      retryable: true,
      reason: 'concurrent-update',
      cause,
      context: { incidentId, attempts },
    });
  }
}

/** A stored item failed its schema: the table holds something this code did not write. */
export class CorruptItemError extends CoordinatorError {
  override readonly name = 'CorruptItemError';
  constructor(key: string, detail: string) {
    super(`item ${key} in the incident table is not readable: ${detail}`, {
      retryable: false,
      reason: 'corrupt-item',
      context: { key },
    });
  }
}

/** A transition would write more items than one DynamoDB transaction allows. */
export class TransitionTooLargeError extends CoordinatorError {
  override readonly name = 'TransitionTooLargeError';
  constructor(incidentId: string, items: number) {
    super(`a change of incident ${incidentId} needs ${items} items, more than one transaction (100) holds`, {
      retryable: false,
      reason: 'transition-too-large',
      context: { incidentId, items },
    });
  }
}

/**
 * A request to the operator API whose bearer token does not prove who sent it (missing, malformed,
 * expired, wrong issuer or audience, bad signature, unknown key). Answered 401; nothing changes.
 */
export class AuthenticationError extends CoordinatorError {
  override readonly name = 'AuthenticationError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, reason: 'unauthenticated', cause });
  }
}

/**
 * The identity provider's discovery document or keys could not be read, so no token can be checked
 * now. Answered 503 (not 401: the token may be fine, and the operator should retry, not sign in again).
 */
export class IdentityProviderUnavailableError extends CoordinatorError {
  override readonly name = 'IdentityProviderUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, reason: 'identity-provider-unavailable', cause });
  }
}

/** True for an {@link AuthenticationError} (by name). */
export const isAuthenticationError = (error: unknown): error is AuthenticationError =>
  error instanceof Error && error.name === 'AuthenticationError';

/** True for an {@link IdentityProviderUnavailableError} (by name). */
export const isIdentityProviderUnavailable = (error: unknown): error is IdentityProviderUnavailableError =>
  error instanceof Error && error.name === 'IdentityProviderUnavailableError';
