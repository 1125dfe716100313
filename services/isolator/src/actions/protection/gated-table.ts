import { containActions } from '@ir/contracts';
import type { StepActionTable, StepCommandType, StepHandler } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import { type GatedAction, isGated, protectionGate, type TagReader } from './gate.js';
import { protectionReaders } from './readers.js';

/**
 * The action table with the protected-resource gate around every containment but the marking ones
 * (rollbacks are not gated: they put back what a containment, approved or not, changed).
 */
export function withProtectionGate<T extends StepCommandType>(
  deps: ActionDeps,
  table: StepActionTable<T>,
): StepActionTable<T> {
  const gated: Record<string, unknown> = { ...table };
  for (const action of containActions) {
    if (!isGated(action) || !(action in table)) continue;
    // The one cast: the table entry and the reader of the same key have the same action type.
    const handler = (table as unknown as Record<GatedAction, StepHandler<GatedAction>>)[action];
    const reader = protectionReaders[action] as () => Promise<TagReader<GatedAction>>;
    gated[action] = protectionGate(deps, reader, handler);
  }
  return gated as StepActionTable<T>;
}
