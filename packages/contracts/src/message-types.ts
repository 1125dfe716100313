import { z } from 'zod';
import { type ContainAction, containCommands, type IrreversibleContainAction } from './messages/contain.js';
import { type EvidenceAction, evidenceCommands } from './messages/evidence.js';
import { type NotifyAction, notifyCommands } from './messages/notify.js';
import { type RollbackAction, rollbackActions } from './messages/rollback.js';

/**
 * Containment actions the isolator performs, in the order of `containCommands` (messages/contain.ts),
 * the one place they are listed. Each but the irreversible ones has a rollback (`rollbackActions`).
 */
export const containActions = Object.keys(containCommands) as [ContainAction, ...ContainAction[]];

/**
 * Containments that cannot be undone and so have no rollback: `contain.remove-login-profile` deletes
 * a console password, which cannot be restored (TRAPS 8), so playbooks must make it wait for approval.
 */
export const irreversibleContainActions = containActions.filter(
  (action): action is IrreversibleContainAction => !containCommands[action].reversible,
);

/** Rollback commands, one per reversible containment (derived in messages/rollback.ts). */
export { rollbackActions };

/** Evidence actions the forensics worker performs, from `evidenceCommands` (messages/evidence.ts). */
export const evidenceActions = Object.keys(evidenceCommands) as [EvidenceAction, ...EvidenceAction[]];

/** Notification actions the notifier performs, from `notifyCommands` (messages/notify.ts). */
export const notifyActions = Object.keys(notifyCommands) as [NotifyAction, ...NotifyAction[]];

/** Every step command the coordinator sends to a worker. */
export const StepAction = z.enum([
  ...containActions,
  ...rollbackActions,
  ...evidenceActions,
  ...notifyActions,
]);
/** @see StepAction */
export type StepAction = z.infer<typeof StepAction>;

/**
 * Message types the coordinator's queue carries: incidents from detection, step answers from the
 * workers, and operator decisions from the API.
 */
export const coordinatorMessageTypes = [
  'incident.opened',
  'incident.updated',
  'step.succeeded',
  'step.failed',
  'step.held',
  'approval.granted',
  'approval.rejected',
  'rollback.requested',
  'incident.resolve-requested',
  'incident.ticket-closed',
] as const;

/** The closed set of message types on every queue. */
export const MessageType = z.enum([
  ...coordinatorMessageTypes,
  ...StepAction.options,
  'evidence.snapshot-followup',
]);
/** @see MessageType */
export type MessageType = z.infer<typeof MessageType>;

export type { ContainAction, EvidenceAction, IrreversibleContainAction, NotifyAction, RollbackAction };
