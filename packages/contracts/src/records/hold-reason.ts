import { z } from 'zod';

/**
 * Why a step waits for a person instead of running. Its own module (a leaf): step commands carry the
 * reasons an approved step was held for, and `messages/step-command.ts` must not import the step
 * record, which imports every message type.
 */
export const HoldReason = z.enum([
  'approval-required',
  'blast-radius',
  'protected-resource',
  'suppression-unevaluated',
  /** A rollback step: it waits for a person other than the one who asked for the rollback. */
  'two-person-rule',
]);
/** @see HoldReason */
export type HoldReason = z.infer<typeof HoldReason>;
