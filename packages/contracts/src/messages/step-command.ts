import { z } from 'zod';
import { AccountId, AwsRegion } from '../primitives.js';
import { HoldReason } from '../records/hold-reason.js';

/** Where a step acts: workers assume the response role in this account and region. */
export const StepTarget = z.object({ accountId: AccountId, region: AwsRegion });
/** @see StepTarget */
export type StepTarget = z.infer<typeof StepTarget>;

/**
 * The approval a held step was dispatched with: who approved it and the reasons it was held for. Why
 * it travels: the isolator reads protected tags live (TRAPS 22) and holds a containment of a protected
 * resource itself unless the command says people already approved it for `protected-resource`.
 * Approvals given for other reasons (a playbook's `approval: required`, the blast radius) do not
 * count for a protected resource found later.
 */
export const CommandApproval = z.object({
  /** The approvers' labels, in order. */
  approvedBy: z.array(z.string().min(1)).min(1),
  /** The reasons the step was held for when it was approved. */
  holdReasons: z.array(HoldReason),
});
/** @see CommandApproval */
export type CommandApproval = z.infer<typeof CommandApproval>;

/**
 * Builds a step command payload: `{ stepId, action, playbookId, target, timeoutSeconds, params,
 * approval? }` (`approval` only on a step a person approved).
 * Why `action` repeats the message type: results (`step.succeeded`/`step.failed`) echo it, and a
 * worker can log the payload alone without losing what it was asked to do.
 */
export function stepCommand<A extends string, P extends z.ZodType>(action: A, params: P) {
  return z.object({
    stepId: z.string().min(1),
    action: z.literal(action),
    playbookId: z.string().min(1),
    target: StepTarget,
    timeoutSeconds: z.number().int().positive(),
    params,
    approval: CommandApproval.optional(),
  });
}
