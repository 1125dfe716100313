import { z } from 'zod';

/** Containment actions the isolator performs; each (but one, see `rollbackActions`) has a rollback. */
export const containActions = [
  'contain.ec2-instance',
  'contain.iam-user',
  'contain.access-key',
  'contain.role-sessions',
  'contain.s3-bucket',
  'contain.block-ip',
  'contain.remove-login-profile',
  'contain.cloudtrail-logging',
  'contain.security-group-ingress',
] as const;

/**
 * Rollback commands, one per reversible containment. `contain.remove-login-profile` has none: a
 * deleted console password cannot be restored (TRAPS 8), which is why that step needs approval.
 */
export const rollbackActions = [
  'rollback.ec2-instance',
  'rollback.iam-user',
  'rollback.access-key',
  'rollback.role-sessions',
  'rollback.s3-bucket',
  'rollback.block-ip',
  'rollback.cloudtrail-logging',
  'rollback.security-group-ingress',
] as const;

/** Evidence actions the forensics worker performs. */
export const evidenceActions = [
  'evidence.snapshot-volumes',
  'evidence.capture-instance',
  'evidence.collect-volatile',
  'evidence.collect-iam',
  'evidence.collect-s3',
  'evidence.seal',
  'evidence.clean-room',
  'evidence.clean-room-teardown',
  'evidence.store-report',
] as const;

/** Every step command the coordinator sends to a worker. */
export const StepAction = z.enum([
  ...containActions,
  ...rollbackActions,
  ...evidenceActions,
  'notify.incident',
]);
/** @see StepAction */
export type StepAction = z.infer<typeof StepAction>;

/** The closed set of message types on every queue. */
export const MessageType = z.enum([
  'incident.opened',
  'incident.updated',
  ...StepAction.options,
  'step.succeeded',
  'step.failed',
  'approval.granted',
  'approval.rejected',
  'rollback.requested',
  'incident.resolve-requested',
  'evidence.snapshot-followup',
]);
/** @see MessageType */
export type MessageType = z.infer<typeof MessageType>;
