/**
 * The blast-radius limit decided by `applyToIncident` over the emulator's table: the window slides
 * (an injected clock builds the case fixed windows get wrong), and two replicas that read the same
 * free slots at once still dispatch no more than the maximum.
 */
import type { StepRecord } from '@ir/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyToIncident } from '../../src/handlers/apply.js';
import type { IncidentRepository } from '../../src/repository/incident-repository.js';
import { openIncident } from '../../src/state/open.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { applyDeps, logger, openedMessage, shippedPlanner } from './apply-harness.js';
import { coordinatorFixture, type Fixture } from './harness.js';

/** The shipped plan's containment alone, with nothing to wait for: it is decided when the incident opens. */
async function containAtOnce(): Promise<Planner> {
  const shipped = await shippedPlanner();
  return (subject, band) => {
    const plan = shipped(subject, band);
    return {
      ...plan,
      steps: plan.steps.filter((step) => step.containment).map((step) => ({ ...step, after: [] })),
    };
  };
}

/** Opens `incidentId` through `deps` as the coordinator's handler would. */
async function open(deps: ApplyDeps, planner: Planner, incidentId: string): Promise<void> {
  const message = openedMessage(incidentId);
  await applyToIncident(
    deps,
    {
      incidentId,
      causationId: message.id,
      eventKey: () => message.id,
      decide: (aggregate, context) => (aggregate ? undefined : openIncident(message, planner, context)),
    },
    logger,
  );
}

/** The containment step of each incident, read back from the table. */
async function containments(
  fixture: Fixture,
  incidentIds: readonly string[],
): Promise<Map<string, StepRecord>> {
  const steps = new Map<string, StepRecord>();
  for (const incidentId of incidentIds) {
    const step = (await fixture.incident(incidentId))?.steps.find((s) => s.action === 'contain.ec2-instance');
    if (!step) throw new Error(`${incidentId} has no containment step`);
    steps.set(incidentId, step);
  }
  return steps;
}

const dispatched = (steps: Map<string, StepRecord>) =>
  [...steps].filter(([, step]) => step.status === 'dispatched').map(([id]) => id);
const heldForBlast = (steps: Map<string, StepRecord>) =>
  [...steps]
    .filter(([, step]) => step.status === 'awaiting-approval' && step.holdReasons?.includes('blast-radius'))
    .map(([id]) => id);

describe('the blast-radius window of applyToIncident (on the emulator)', () => {
  let fixture: Fixture;
  let planner: Planner;
  beforeAll(async () => {
    fixture = await coordinatorFixture();
    planner = await containAtOnce();
  }, 60_000);
  afterAll(async () => fixture?.stop());

  it('slides: containments just after a fixed boundary are held, and each slot frees a window after its take', async () => {
    // Prepare: 2 per hour; the next whole hour is where a fixed window would start afresh
    const windowMs = 3_600_000;
    const boundary = Math.ceil(Date.now() / windowMs) * windowMs;
    let now = boundary - 60_000;
    const deps = await applyDeps(fixture, undefined, {
      clock: () => new Date(now),
      blast: { max: 2, windowSeconds: 3600 },
    });
    // Act: 2 one minute before the boundary, 2 thirty seconds after it (a fixed window would let
    // these through: 4 within 90 s), 1 a millisecond before the first takes are a window old, then
    // 3 exactly a window after the first takes.
    now = boundary - 60_000;
    await open(deps, planner, 'inc-slide-1');
    await open(deps, planner, 'inc-slide-2');
    now = boundary + 30_000;
    await open(deps, planner, 'inc-slide-3');
    await open(deps, planner, 'inc-slide-4');
    now = boundary - 60_000 + windowMs - 1;
    await open(deps, planner, 'inc-slide-5');
    now = boundary - 60_000 + windowMs;
    await open(deps, planner, 'inc-slide-6');
    await open(deps, planner, 'inc-slide-7');
    await open(deps, planner, 'inc-slide-8');
    // Assess: read back from the table
    const steps = await containments(
      fixture,
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `inc-slide-${n}`),
    );
    expect(dispatched(steps)).toEqual(['inc-slide-1', 'inc-slide-2', 'inc-slide-6', 'inc-slide-7']);
    expect(heldForBlast(steps)).toEqual(['inc-slide-3', 'inc-slide-4', 'inc-slide-5', 'inc-slide-8']);
    expect([...steps.values()].filter((step) => step.countedAutomatic)).toHaveLength(4);
    expect(await fixture.repository.blastSlots(2)).toEqual([now, now]);
  });

  it('two replicas that read the same free slots at once dispatch exactly the maximum, on one table', async () => {
    // Prepare: a fresh table (the first test used the slots of this one); max 2, five incidents
    // opened at once through two replicas (own clients), whose first reads of the slots all happen
    // before any commit: at least three of the five picks land on a slot another one took.
    const racing = await coordinatorFixture();
    const incidents = [1, 2, 3, 4, 5].map((n) => `inc-race-${n}`);
    let arrived = 0;
    let release: () => void = () => undefined;
    const allRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const barrier = (repository: IncidentRepository): IncidentRepository => ({
      ...repository,
      async blastSlots(max) {
        const slots = await repository.blastSlots(max);
        arrived += 1;
        if (arrived === incidents.length) release();
        if (arrived <= incidents.length) await allRead;
        return slots;
      },
    });
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const deps = await applyDeps(racing, undefined, { blast: { max: 2, windowSeconds: 3600 } });
        return { ...deps, repository: barrier(deps.repository) };
      }),
    );
    try {
      // Act
      await Promise.all(
        incidents.map((incidentId, n) => open(replicas[n % 2] as ApplyDeps, planner, incidentId)),
      );
      // Assess: read back from the table
      const steps = await containments(racing, incidents);
      expect(dispatched(steps)).toHaveLength(2);
      expect(heldForBlast(steps)).toHaveLength(3);
      const now = Date.now();
      const slots = await racing.repository.blastSlots(3);
      expect(slots.slice(0, 2).every((at) => at !== undefined && now - at < 60_000)).toBe(true);
      expect(slots[2]).toBeUndefined();
    } finally {
      await racing.stop();
    }
  });
});
