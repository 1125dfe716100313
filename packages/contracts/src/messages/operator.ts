import { z } from 'zod';
import { Disposition, DispositionSource, IncidentCategory } from '../records/disposition.js';

/**
 * The person (or, in local development, the static token) behind a decision, as the operator API
 * verified it: the token's issuer and subject, which together name one account, and the display name
 * and email when the token carries them. Why issuer and subject, not a name: names are neither unique
 * nor stable, and a typed name proves nothing (TRAPS 23).
 */
export const OperatorIdentity = z.object({
  issuer: z.string().min(1),
  subject: z.string().min(1),
  name: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
});
/** @see OperatorIdentity */
export type OperatorIdentity = z.infer<typeof OperatorIdentity>;

/**
 * The operator API's proof that it sent a decision: a MAC over the decision's envelope and payload
 * (everything but this field), made with a key only the coordinator holds, named by `keyId` so keys
 * can be rotated. Why a signature: any service allowed to send to the coordinator queue could
 * otherwise forge an approval or a rollback (TRAPS 23). The coordinator checks `alg`, `keyId` and
 * `mac` itself, so that a malformed signature is refused, counted and alerted as forged, not only
 * dead-lettered as a schema error.
 */
export const DecisionSignature = z.object({
  /** `HMAC-SHA256` today; anything else is refused. */
  alg: z.string().min(1).max(32),
  keyId: z.string().min(1).max(128),
  /** base64url, without padding. */
  mac: z.string().min(1).max(512),
});
/** @see DecisionSignature */
export type DecisionSignature = z.infer<typeof DecisionSignature>;

/**
 * Who decided and, optionally, why; the base of every operator message. `by` is a display label the
 * API derives from `actor` (never typed by the operator); `actor` is the verified identity. `actor` is
 * optional only so that messages queued before it existed still parse; the API always sets it.
 * `signature` is optional in the schema so an unsigned message parses and is then refused, by name,
 * by the coordinator (which verifies every decision before it applies it).
 */
export const OperatorDecision = z.object({
  by: z.string().min(1),
  reason: z.string().optional(),
  actor: OperatorIdentity.optional(),
  signature: DecisionSignature.optional(),
});
/** @see OperatorDecision */
export type OperatorDecision = z.infer<typeof OperatorDecision>;

/** An operator approved a gated step. */
export const ApprovalGrantedPayload = OperatorDecision.extend({ stepId: z.string().min(1) });
/** @see ApprovalGrantedPayload */
export type ApprovalGrantedPayload = z.infer<typeof ApprovalGrantedPayload>;

/** An operator rejected a gated step. */
export const ApprovalRejectedPayload = OperatorDecision.extend({ stepId: z.string().min(1) });
/** @see ApprovalRejectedPayload */
export type ApprovalRejectedPayload = z.infer<typeof ApprovalRejectedPayload>;

/** An operator asked to roll back every containment of the incident. */
export const RollbackRequestedPayload = OperatorDecision;
/** @see RollbackRequestedPayload */
export type RollbackRequestedPayload = z.infer<typeof RollbackRequestedPayload>;

/**
 * An operator asked to resolve (close) the incident, saying whether it was real (`disposition`) and
 * what kind it was (`category`). Both are required: a resolve without them is refused as malformed.
 * `source` is `jira` when the ticket was closed in Jira (then `actor` is the Jira user).
 */
export const IncidentResolveRequestedPayload = OperatorDecision.extend({
  disposition: Disposition,
  category: IncidentCategory,
  source: DispositionSource.optional(),
});
/** @see IncidentResolveRequestedPayload */
export type IncidentResolveRequestedPayload = z.infer<typeof IncidentResolveRequestedPayload>;
