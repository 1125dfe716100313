import type { StepContext } from '@ir/runtime';
import type { StoredArtifact } from '../evidence/evidence-store.js';
import type { ActionDeps } from './types.js';

/** The parts of a step's context a record names: its incident, step, action and target. */
type RecordContext = Pick<StepContext, 'incidentId' | 'stepId' | 'action' | 'target'>;

/**
 * Stores what a collecting step read as one JSON artifact of the step (`name`), in the shape every
 * collector writes: `collectedAt` and `target` first, then `fields`, pretty-printed.
 */
export function putCollectedRecord(
  deps: Pick<ActionDeps, 'store' | 'now'>,
  context: RecordContext,
  name: string,
  fields: Record<string, unknown>,
): Promise<StoredArtifact> {
  return deps.store.put({
    incidentId: context.incidentId,
    stepId: context.stepId,
    action: context.action,
    sourceAccount: context.target.accountId,
    name,
    contentType: 'application/json',
    body: JSON.stringify(
      { collectedAt: deps.now().toISOString(), target: context.target, ...fields },
      null,
      2,
    ),
  });
}
