import { z } from 'zod';
import { IsoDateTime } from '../primitives.js';
import { StepAction } from '../message-types.js';

const Details = z.record(z.string(), z.unknown());

/**
 * A worker finished a step. `verified` holds what was read back to prove it (TRAPS 1, 16);
 * `preState` what a rollback needs.
 */
export const StepSucceededPayload = z.object({
  stepId: z.string().min(1),
  action: StepAction,
  result: Details,
  preState: Details.optional(),
  verified: Details.optional(),
  completedAt: IsoDateTime,
});
/** @see StepSucceededPayload */
export type StepSucceededPayload = z.infer<typeof StepSucceededPayload>;

/**
 * A worker gave up on a step. `reason` is a sentence a person can act on. Why `retryable: false`:
 * workers retry transient errors themselves; a step that is reported failed goes to a person.
 */
export const StepFailedPayload = z.object({
  stepId: z.string().min(1),
  action: StepAction,
  reason: z.string().min(1),
  errorName: z.string().min(1),
  retryable: z.literal(false),
  detail: Details.optional(),
  failedAt: IsoDateTime,
});
/** @see StepFailedPayload */
export type StepFailedPayload = z.infer<typeof StepFailedPayload>;
