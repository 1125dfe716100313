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

/**
 * One resource a worker found protected, read live from AWS (TRAPS 22). `key` is a resource key in
 * the form of `resourceKey` (`ec2-instance:i-0…`, `ec2-volume:vol-0…`, `iam-role:deploy`,
 * `rds-database:cluster/orders`); `tag` is the tag as AWS holds it (`IR:Protected=TRUE`), since
 * keys and values are compared without regard to case.
 */
export const ProtectedResourceFound = z.object({
  key: z.string().min(1),
  tag: z.string().min(1),
});
/** @see ProtectedResourceFound */
export type ProtectedResourceFound = z.infer<typeof ProtectedResourceFound>;

/**
 * A worker held a step instead of running it: a resource the step would change carries the protected
 * tag in AWS, and the command was not approved for `protected-resource`. Nothing was changed. The
 * coordinator puts the step back to `awaiting-approval` (two approvers) and holds the incident's
 * other containments too. A dry run answers this as well, so it shows what would be held.
 */
export const StepHeldPayload = z.object({
  stepId: z.string().min(1),
  action: StepAction,
  reason: z.literal('protected-resource'),
  resources: z.array(ProtectedResourceFound).min(1),
  heldAt: IsoDateTime,
});
/** @see StepHeldPayload */
export type StepHeldPayload = z.infer<typeof StepHeldPayload>;
