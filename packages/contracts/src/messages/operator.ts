import { z } from 'zod';

/** Who decided and, optionally, why; the base of every operator message. */
export const OperatorDecision = z.object({ by: z.string().min(1), reason: z.string().optional() });
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

/** An operator asked to resolve (close) the incident. */
export const IncidentResolveRequestedPayload = OperatorDecision;
/** @see IncidentResolveRequestedPayload */
export type IncidentResolveRequestedPayload = z.infer<typeof IncidentResolveRequestedPayload>;
