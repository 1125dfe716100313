import { z } from 'zod';
import { rollbackActions } from '../message-types.js';
import { stepCommand } from './step-command.js';

/**
 * Params of every rollback: the containment step it undoes and the state that step recorded
 * before it changed anything (groups per ENI, policies, key statuses...).
 */
export const RollbackParams = z.object({
  originalStepId: z.string().min(1),
  preState: z.record(z.string(), z.unknown()),
});
/** @see RollbackParams */
export type RollbackParams = z.infer<typeof RollbackParams>;

/** A rollback action name, e.g. `rollback.ec2-instance` (undoes `contain.ec2-instance`). */
export type RollbackAction = (typeof rollbackActions)[number];

/** The payload schema of one rollback command. */
export type RollbackCommandSchema<A extends RollbackAction> = ReturnType<
  typeof stepCommand<A, typeof RollbackParams>
>;

/**
 * Payload schema of each rollback command, keyed by action. Why one map, not six declarations:
 * every rollback carries the same params; only the action differs.
 */
export const rollbackCommands = Object.fromEntries(
  rollbackActions.map((action) => [action, stepCommand(action, RollbackParams)]),
) as { [A in RollbackAction]: RollbackCommandSchema<A> };

/** The payload of a rollback command (all of them, or one action's). */
export type RollbackCommand<A extends RollbackAction = RollbackAction> = {
  [K in A]: z.infer<RollbackCommandSchema<K>>;
}[A];
