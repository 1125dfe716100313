import { IncidentRecord, StepRecord } from '@ir/contracts';
import type { IncidentAggregate } from '../model.js';
import type { Transition } from '../state/draft.js';

/**
 * The incidents this replica last wrote, as its own commits left them, so that the next message of
 * the same incident is decided without reading it back (the Query every decision made was the
 * coordinator's most frequent call).
 *
 * Why this is safe: every write of an incident is conditional on the version it was decided from. A
 * cached incident another replica has changed since fails that condition, is dropped, and the event
 * is decided again from a fresh read. A decision on a cached incident that would change nothing, or
 * refuse the event (a step it has not seen), is made again from a fresh read too: an event
 * acknowledged or dead-lettered on a stale view would be lost.
 * What a cached decision does not see is another writer's outbox: the sweep republishes stranded
 * entries (`republishStale`), as it does for incidents nobody touches again.
 */
export interface DecisionCache {
  get(incidentId: string): IncidentAggregate | undefined;
  /**
   * Remembers the incident as a commit of this replica left it, unless a newer version is held: two
   * decisions of one incident in this replica (a message and a sweep) finish in either order.
   */
  remember(aggregate: IncidentAggregate): void;
  forget(incidentId: string): void;
  readonly size: number;
}

/** A round trip through JSON and the schema, so a cached record equals what a read would decode. */
const asRead = <T>(schema: { parse(value: unknown): T }, value: unknown): T =>
  schema.parse(JSON.parse(JSON.stringify(value)));

/** The aggregate a commit of `transition` on `before` leaves in the table. */
export function afterCommit(
  before: IncidentAggregate | undefined,
  transition: Transition,
): IncidentAggregate {
  const steps = new Map((before?.steps ?? []).map((step) => [step.stepId, step]));
  for (const step of transition.steps) steps.set(step.stepId, asRead(StepRecord, step));
  return {
    incident: asRead(IncidentRecord, transition.incident),
    version: transition.expectedVersion + 1,
    steps: [...steps.values()].sort((a, b) => a.order - b.order),
  };
}

/**
 * A cache of at most `capacity` incidents, the least recently used dropped first; capacity 0
 * caches nothing (every decision reads the incident).
 */
export function createDecisionCache(capacity: number): DecisionCache {
  const entries = new Map<string, IncidentAggregate>();
  return {
    get(incidentId) {
      const aggregate = entries.get(incidentId);
      if (aggregate) {
        entries.delete(incidentId);
        entries.set(incidentId, aggregate);
      }
      return aggregate;
    },
    remember(aggregate) {
      if (capacity === 0) return;
      const { incidentId } = aggregate.incident;
      const held = entries.get(incidentId);
      if (held && held.version >= aggregate.version) return;
      entries.delete(incidentId);
      entries.set(incidentId, aggregate);
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    forget(incidentId) {
      entries.delete(incidentId);
    },
    get size() {
      return entries.size;
    },
  };
}
