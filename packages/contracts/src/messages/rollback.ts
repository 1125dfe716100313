import { z } from 'zod';
import { type ContainAction, containCommands, type ReversibleContainAction } from './contain.js';
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

/** The rollback action of a containment: `contain.ec2-instance` → `rollback.ec2-instance`. */
export type RollbackOf<A extends ContainAction> = A extends `contain.${infer Name}`
  ? `rollback.${Name}`
  : never;

/** A rollback action name, e.g. `rollback.ec2-instance` (undoes `contain.ec2-instance`). */
export type RollbackAction = RollbackOf<ReversibleContainAction>;

/** The rollback action of a containment, by name. */
export function rollbackOf<A extends ContainAction>(action: A): RollbackOf<A> {
  return action.replace(/^contain\./, 'rollback.') as RollbackOf<A>;
}

/**
 * Rollback commands, one per reversible containment, in the order of `containCommands`. Derived, so
 * marking a containment reversible there is all it takes to get its rollback message.
 */
export const rollbackActions = (Object.keys(containCommands) as ContainAction[])
  .filter((action): action is ReversibleContainAction => containCommands[action].reversible)
  .map(rollbackOf) as [RollbackAction, ...RollbackAction[]];

/** The payload schema of one rollback command. */
export type RollbackCommandSchema<A extends RollbackAction> = ReturnType<
  typeof stepCommand<A, typeof RollbackParams>
>;

/**
 * Payload schema of each rollback command, keyed by action. Why one map, not eight declarations:
 * every rollback carries the same params; only the action differs.
 */
export const rollbackCommands = Object.fromEntries(
  rollbackActions.map((action) => [action, stepCommand(action, RollbackParams)]),
) as { [A in RollbackAction]: RollbackCommandSchema<A> };

/** The payload of a rollback command (all of them, or one action's). */
export type RollbackCommand<A extends RollbackAction = RollbackAction> = {
  [K in A]: z.infer<RollbackCommandSchema<K>>;
}[A];
