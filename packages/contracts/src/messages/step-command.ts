import { z } from 'zod';
import { AccountId, AwsRegion } from '../primitives.js';

/** Where a step acts: workers assume the response role in this account and region. */
export const StepTarget = z.object({ accountId: AccountId, region: AwsRegion });
/** @see StepTarget */
export type StepTarget = z.infer<typeof StepTarget>;

/**
 * Builds a step command payload: `{ stepId, action, playbookId, target, timeoutSeconds, params }`.
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
  });
}
