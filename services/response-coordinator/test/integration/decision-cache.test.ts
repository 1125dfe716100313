/**
 * Two replicas, each with its own decision cache, writing one incident in the emulator's table: a
 * replica decides the next event of an incident it wrote without reading it, and a cached view
 * another replica has moved on from never commits, and never acknowledges an event as changing nothing.
 */
import { buildMessage, type MessageOf, type StepRecord } from '@ir/contracts';
import { REPORT_STEP_ID } from '../../src/report/report-step.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyToIncident } from '../../src/handlers/apply.js';
import { createDecisionCache } from '../../src/handlers/decision-cache.js';
import type { IncidentRepository } from '../../src/repository/incident-repository.js';
import { decide, type IncidentEvent } from '../../src/state/decide.js';
import { openIncident } from '../../src/state/open.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { applyDeps, logger, openedMessage, shippedPlanner } from './apply-harness.js';
import { coordinatorFixture, type Fixture } from './harness.js';

interface Replica {
  readonly deps: ApplyDeps;
  /** Reads of an incident this replica made before deciding (Queries of the real table). */
  readonly reads: () => number;
}

/** A replica over the fixture's table, with its own cache; its reads are counted on the way through. */
async function replica(fixture: Fixture): Promise<Replica> {
  let reads = 0;
  const base = await applyDeps(fixture);
  const counted: IncidentRepository = {
    ...base.repository,
    loadForDecision: (incidentId) => {
      reads += 1;
      return base.repository.loadForDecision(incidentId);
    },
  };
  return {
    deps: { ...base, repository: counted, cache: createDecisionCache(100) },
    reads: () => reads,
  };
}

async function open(replica: Replica, planner: Planner, message: MessageOf<'incident.opened'>) {
  return applyToIncident(
    replica.deps,
    {
      incidentId: message.incidentId,
      causationId: message.id,
      eventKey: () => message.id,
      decide: (aggregate, context) => (aggregate ? undefined : openIncident(message, planner, context)),
    },
    logger,
  );
}

/** The worker's answer to a dispatched step, as its queue would bring it. */
function succeeded(step: StepRecord, incidentId: string): MessageOf<'step.succeeded'> {
  const contained = step.action.startsWith('contain.');
  return buildMessage('step.succeeded', {
    incidentId,
    correlationId: `corr-${incidentId}`,
    causationId: step.commandId ?? null,
    producer: 'worker-test-double',
    dryRun: false,
    payload: {
      stepId: step.stepId,
      action: step.action,
      result: { done: true },
      ...(contained ? { preState: { recordedFor: step.stepId, groups: ['sg-original'] } } : {}),
      completedAt: new Date().toISOString(),
    },
  });
}

function resolveRequested(incidentId: string): MessageOf<'incident.resolve-requested'> {
  return buildMessage('incident.resolve-requested', {
    incidentId,
    correlationId: `corr-${incidentId}`,
    causationId: null,
    producer: 'response-coordinator-api',
    dryRun: false,
    payload: {
      by: 'dave',
      reason: 'contained and understood',
      disposition: 'true-positive',
      category: 'malware',
    },
  });
}

async function apply(replica: Replica, planner: Planner, event: IncidentEvent) {
  return applyToIncident(
    replica.deps,
    {
      incidentId: event.incidentId,
      causationId: event.id,
      eventKey: () => event.id,
      withTimeline: event.type === 'incident.resolve-requested',
      decide: (aggregate, context) => (aggregate ? decide(aggregate, event, planner, context) : undefined),
    },
    logger,
  );
}

async function cachedDecisions(replica: Replica): Promise<Record<string, number>> {
  const metric = await replica.deps.metrics.cachedDecisions.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.result), value.value]));
}

async function dispatched(fixture: Fixture, incidentId: string): Promise<StepRecord[]> {
  const aggregate = await fixture.incident(incidentId);
  return (aggregate?.steps ?? []).filter((step) => step.status === 'dispatched');
}

describe('response coordinator decision cache (on the emulator)', () => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.stop()));
  });

  it('decides the next event of an incident it wrote without reading it first', async () => {
    // Prepare
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const planner = await shippedPlanner();
    const one = await replica(fixture);
    const message = openedMessage('inc-cache-hit');
    await open(one, planner, message);
    const [first] = await dispatched(fixture, message.incidentId);
    if (!first) throw new Error('the opening dispatched no step');
    const readsAfterOpening = one.reads();

    // Act
    await apply(one, planner, succeeded(first, message.incidentId));

    // Assess: the step's result is in the table, at the next version, with no read before deciding
    const aggregate = await fixture.incident(message.incidentId);
    expect(aggregate?.version).toBe(2);
    expect(aggregate?.steps.find((step) => step.stepId === first.stepId)?.status).toBe('succeeded');
    expect(readsAfterOpening).toBe(1);
    expect(one.reads()).toBe(1);
    expect(await cachedDecisions(one)).toEqual({ committed: 1 });
  });

  it('a cached view another replica has moved on from conflicts, and the event is decided from a fresh read', async () => {
    // Prepare: replica one opened the incident; replica two then recorded the first step's result
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const planner = await shippedPlanner();
    const [one, two] = [await replica(fixture), await replica(fixture)];
    const message = openedMessage('inc-cache-conflict');
    await open(one, planner, message);
    const [first, second] = await dispatched(fixture, message.incidentId);
    if (!first || !second) throw new Error('the opening dispatched fewer than two steps');
    await apply(two, planner, succeeded(first, message.incidentId));

    // Act: replica one, still holding version 1, records the second step's result
    await apply(one, planner, succeeded(second, message.incidentId));

    // Assess: both results stand; the stale view did not overwrite the other replica's write
    const aggregate = await fixture.incident(message.incidentId);
    const status = (stepId: string) => aggregate?.steps.find((step) => step.stepId === stepId)?.status;
    expect(aggregate?.version).toBe(3);
    expect(status(first.stepId)).toBe('succeeded');
    expect(status(second.stepId)).toBe('succeeded');
    expect(one.reads()).toBe(2);
    expect(await cachedDecisions(one)).toEqual({ conflicted: 1 });
  });

  it('an event that changes nothing on the cached view is decided again from a fresh read', async () => {
    // Prepare: replica one opened the incident; replica two recorded every opening step's result, so
    // the table holds steps dispatched after them that replica one's cached view holds as not yet sent
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const planner = await shippedPlanner();
    const [one, two] = [await replica(fixture), await replica(fixture)];
    const message = openedMessage('inc-cache-reread');
    await open(one, planner, message);
    const opening = await dispatched(fixture, message.incidentId);
    for (const step of opening) await apply(two, planner, succeeded(step, message.incidentId));
    const later = (await dispatched(fixture, message.incidentId)).filter(
      (step) => !opening.some((other) => other.stepId === step.stepId),
    );
    const [next] = later;
    if (!next) throw new Error('no step was dispatched after the opening steps');
    const cachedView = one.deps.cache?.get(message.incidentId);
    const versionBefore = (await fixture.incident(message.incidentId))?.version ?? 0;

    // Act: the result of a step replica one has not seen dispatched reaches replica one
    await apply(one, planner, succeeded(next, message.incidentId));

    // Assess: it was not dropped as unknown; it is recorded, on the fresh version
    const aggregate = await fixture.incident(message.incidentId);
    expect(cachedView?.version).toBe(1);
    expect(cachedView?.steps.find((step) => step.stepId === next.stepId)?.status).not.toBe('dispatched');
    expect(aggregate?.version).toBe(versionBefore + 1);
    expect(aggregate?.steps.find((step) => step.stepId === next.stepId)?.status).toBe('succeeded');
    expect(await cachedDecisions(one)).toEqual({ reread: 1 });
  });

  it('an event the cached view refuses (a step it has never seen) is decided from a fresh read, not dead-lettered', async () => {
    // Prepare: replica one opened the incident; replica two ran it to completion and resolved it,
    // which added the report step that replica one's cached view has never seen
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const planner = await shippedPlanner();
    const [one, two] = [await replica(fixture), await replica(fixture)];
    const message = openedMessage('inc-cache-refused');
    await open(one, planner, message);
    for (let round = 0; round < 20; round += 1) {
      const steps = await dispatched(fixture, message.incidentId);
      if (steps.length === 0) break;
      for (const step of steps) await apply(two, planner, succeeded(step, message.incidentId));
    }
    await apply(two, planner, resolveRequested(message.incidentId));
    const report = (await dispatched(fixture, message.incidentId)).find(
      (step) => step.stepId === REPORT_STEP_ID,
    );
    if (!report) throw new Error('resolving dispatched no report step');
    const cachedView = one.deps.cache?.get(message.incidentId);

    // Act: the report's result reaches replica one
    await apply(one, planner, succeeded(report, message.incidentId));

    // Assess
    const aggregate = await fixture.incident(message.incidentId);
    expect(cachedView?.steps.some((step) => step.stepId === REPORT_STEP_ID)).toBe(false);
    expect(aggregate?.incident.status).toBe('resolved');
    expect(aggregate?.steps.find((step) => step.stepId === REPORT_STEP_ID)?.status).toBe('succeeded');
    expect(await cachedDecisions(one)).toEqual({ reread: 1 });
  });
});
