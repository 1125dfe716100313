import { z } from 'zod';
import type { StepAction } from '../message-types.js';
import { OperatorIdentity } from '../messages/operator.js';
import { IsoDateTime } from '../primitives.js';

/**
 * Who took a decision about a step, and when: `by` is the display label, `actor` the verified
 * identity. `actor` is optional only for decisions recorded from messages older than identities.
 */
export const DecisionBy = z.object({
  by: z.string().min(1),
  actor: OperatorIdentity.optional(),
  at: IsoDateTime,
});
/** @see DecisionBy */
export type DecisionBy = z.infer<typeof DecisionBy>;

/**
 * One approval recorded on a step. Unlike {@link DecisionBy} it always names a verified identity:
 * an approval without one cannot count towards the two-person rule, so it is never recorded.
 */
export const StepApproval = DecisionBy.extend({ actor: OperatorIdentity });
/** @see StepApproval */
export type StepApproval = z.infer<typeof StepApproval>;

/**
 * Actions whose approval needs two different people (issue 18, TRAPS 23): a NACL block affects a
 * whole subnet, a removed console password cannot be restored, and the clean room starts an
 * instance with the suspect's disks. The coordinator also asks two people for a protected resource.
 */
export const TWO_PERSON_ACTIONS: ReadonlySet<StepAction> = new Set<StepAction>([
  'contain.block-ip',
  'contain.remove-login-profile',
  'evidence.clean-room',
]);

/**
 * True when two identities are the same account: same issuer and same subject. Names and emails do
 * not count (they are neither unique nor stable); an absent identity is never the same as anything,
 * which is why the callers refuse absent identities where the rule applies.
 */
export function sameOperator(a: OperatorIdentity | undefined, b: OperatorIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.issuer === b.issuer && a.subject === b.subject;
}
