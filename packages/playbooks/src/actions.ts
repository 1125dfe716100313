import {
  containActions,
  evidenceActions,
  irreversibleContainActions,
  markingActions,
  notifyActions,
  payloadSchemas,
} from '@ir/contracts';
import { z } from 'zod';
import type { StepQueue } from './plan.js';

/**
 * The actions a playbook step may name: every containment, evidence and notification action of
 * contracts, never a `rollback.*`. Why not rollbacks: the coordinator builds them from succeeded
 * containments and their recorded pre-state.
 */
export const PlaybookAction = z.enum([...containActions, ...evidenceActions, ...notifyActions], {
  error: 'must be a contain.*, evidence.* or notify.incident action (rollbacks are built by the coordinator)',
});
/** @see PlaybookAction */
export type PlaybookAction = z.infer<typeof PlaybookAction>;

const isolatorActions: ReadonlySet<PlaybookAction> = new Set(containActions);
const marking: ReadonlySet<PlaybookAction> = new Set(markingActions);
const evidence: ReadonlySet<PlaybookAction> = new Set(evidenceActions);

/** The worker queue of an action: containments → isolator, evidence → forensics, notifications → notifier. */
export function queueOf(action: PlaybookAction): StepQueue {
  if (isolatorActions.has(action)) return 'isolator';
  if (evidence.has(action)) return 'forensics';
  return 'notifier';
}

/**
 * True for a containment (counts toward the blast radius and MTTI, held for a protected resource).
 * The isolator's marking actions (`contain.tag-incident`) are not: they label, they do not contain.
 */
export function isContainment(action: PlaybookAction): boolean {
  return isolatorActions.has(action) && !marking.has(action);
}

/** True for the step whose success stops MTTE. */
export function sealsEvidence(action: PlaybookAction): boolean {
  return action === 'evidence.seal';
}

/**
 * Actions that must always wait for an operator: the containments contracts marks irreversible
 * (`contain.remove-login-profile` deletes a console password, which cannot be restored, TRAPS 8).
 */
export const approvalRequiredActions: ReadonlySet<PlaybookAction> = new Set(irreversibleContainActions);

/** The contracts schema of an action's `params`: what the worker will accept. */
export function paramsSchemaOf(action: PlaybookAction): z.ZodType<Record<string, unknown>> {
  const schema = payloadSchemas[action] as unknown as {
    shape: { params: z.ZodType<Record<string, unknown>> };
  };
  return schema.shape.params;
}
