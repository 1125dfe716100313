import { describe, expect, it } from 'vitest';
import { afterCommit, createDecisionCache } from '../../src/handlers/decision-cache.js';
import { openIncident } from '../../src/state/open.js';
import { stepSucceeded } from '../../src/state/results.js';
import { committed, context, opened, plan, succeeded } from './fixtures.js';

const planner = () => plan;

/** An opening committed as version 1, and a result decided on it (not yet committed). */
function openedThenResult() {
  const opening = openIncident(opened(), planner, context());
  const open = committed(opening, 1);
  const result = stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context());
  return { opening, open, result };
}

describe('decision cache', () => {
  it('holds the incident as the commit left it: the next version, changed steps replaced, the rest kept', () => {
    // Prepare
    const { open, result } = openedThenResult();
    // Act
    const after = afterCommit(open, result.toTransition());
    // Assess: what a read of the table after the commit would decode
    expect(after.version).toBe(2);
    expect(after).toEqual(committed(result, 2));
    expect(after.steps.map((step) => step.stepId)).toEqual(open.steps.map((step) => step.stepId));
    expect(after.steps.find((step) => step.stepId === 'snapshot')?.status).toBe('succeeded');
  });

  it('holds a new incident as its opening wrote it', () => {
    // Prepare
    const { opening } = openedThenResult();
    // Act
    const after = afterCommit(undefined, opening.toTransition());
    // Assess
    expect(after).toEqual(committed(opening, 1));
  });

  it('drops the least recently used incident beyond its capacity, and caches nothing at capacity 0', () => {
    // Prepare
    const { opening } = openedThenResult();
    const aggregate = (incidentId: string) => {
      const base = opening.toTransition();
      return afterCommit(undefined, { ...base, incident: { ...base.incident, incidentId } });
    };
    const cache = createDecisionCache(2);
    const none = createDecisionCache(0);
    // Act
    cache.remember(aggregate('inc-a'));
    cache.remember(aggregate('inc-b'));
    cache.get('inc-a');
    cache.remember(aggregate('inc-c'));
    none.remember(aggregate('inc-a'));
    // Assess
    expect(cache.size).toBe(2);
    expect(cache.get('inc-b')).toBeUndefined();
    expect(cache.get('inc-a')?.incident.incidentId).toBe('inc-a');
    expect(cache.get('inc-c')?.version).toBe(1);
    expect(none.size).toBe(0);
    expect(none.get('inc-a')).toBeUndefined();
  });

  it('forgets an incident on request', () => {
    // Prepare
    const cache = createDecisionCache(10);
    cache.remember(afterCommit(undefined, openedThenResult().opening.toTransition()));
    // Act
    cache.forget('inc-1');
    // Assess
    expect(cache.get('inc-1')).toBeUndefined();
  });

  it('keeps the newer of two versions, whichever is remembered last', () => {
    // Prepare: two decisions of one incident in this replica finish in the reverse of their commits
    const { open, result } = openedThenResult();
    const first = afterCommit(undefined, openIncident(opened(), planner, context()).toTransition());
    const second = afterCommit(open, result.toTransition());
    const cache = createDecisionCache(10);
    // Act
    cache.remember(second);
    cache.remember(first);
    // Assess
    expect(cache.get('inc-1')?.version).toBe(2);
    expect(cache.get('inc-1')).toEqual(second);
  });
});
