import { payloadSchemas, rollbackActions, StepAction } from '@ir/contracts';
import { z } from 'zod';
import type { StepQueue } from './plan.js';

const rollbackSet: ReadonlySet<string> = new Set(rollbackActions);

/**
 * The actions a playbook step may name: every step action except `rollback.*`. Why not rollbacks:
 * the coordinator builds them from succeeded containments and their recorded pre-state.
 */
export const PlaybookAction = z.enum(
  StepAction.options.filter((action) => !rollbackSet.has(action)) as [
    Exclude<StepAction, (typeof rollbackActions)[number]>,
    ...Exclude<StepAction, (typeof rollbackActions)[number]>[],
  ],
  {
    error:
      'must be a contain.*, evidence.* or notify.incident action (rollbacks are built by the coordinator)',
  },
);
/** @see PlaybookAction */
export type PlaybookAction = z.infer<typeof PlaybookAction>;

/** The worker queue of an action: `contain.*` → isolator, `evidence.*` → forensics, `notify.*` → notifier. */
export function queueOf(action: PlaybookAction): StepQueue {
  if (action.startsWith('contain.')) return 'isolator';
  if (action.startsWith('evidence.')) return 'forensics';
  return 'notifier';
}

/** True for a containment (counts toward the blast radius and MTTI). */
export function isContainment(action: PlaybookAction): boolean {
  return action.startsWith('contain.');
}

/** True for the step whose success stops MTTE. */
export function sealsEvidence(action: PlaybookAction): boolean {
  return action === 'evidence.seal';
}

/**
 * Actions that must always wait for an operator. Why: `contain.remove-login-profile` deletes a
 * console password, which cannot be restored (it has no rollback, TRAPS 8).
 */
export const approvalRequiredActions: ReadonlySet<PlaybookAction> = new Set(['contain.remove-login-profile']);

/** The contracts schema of an action's `params`: what the worker will accept. */
export function paramsSchemaOf(action: PlaybookAction): z.ZodType<Record<string, unknown>> {
  const schema = payloadSchemas[action] as unknown as {
    shape: { params: z.ZodType<Record<string, unknown>> };
  };
  return schema.shape.params;
}
