/**
 * Blast radius with two coordinator replicas racing on one table: more incidents than the limit
 * reach their containment at once, and exactly the limit is contained automatically.
 */
import { eventually, findingTypes, queueDepth } from '@ir/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { freeSlots } from '../../src/repository/blast-window.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { shippedPlanner } from './apply-harness.js';
import { coordinatorFixture, type Fixture, finding } from './harness.js';

const MAX = 3;
const INCIDENTS = 10;

/**
 * The shipped plan's containment alone, with nothing to wait for: every incident's containment is
 * decided the moment it opens, so all of them meet on the two replicas at once.
 */
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

describe('response coordinator blast radius with two replicas (on the emulator)', () => {
  let fixture: Fixture | undefined;
  afterAll(async () => fixture?.stop());

  it(`contains exactly ${MAX} of ${INCIDENTS} incidents opened at once, and holds the rest`, async () => {
    // Prepare: two replicas on one table, a limit of 3 per hour
    const replicas = await coordinatorFixture({
      IR_MAX_AUTO_CONTAINMENTS: String(MAX),
      IR_BLAST_WINDOW: '1h',
    });
    fixture = replicas;
    const planner = await containAtOnce();
    await replicas.start({ planner });
    await replicas.start({ planner });
    const incidents = Array.from({ length: INCIDENTS }, (_, n) => `inc-replica-blast-${n}`);
    // Act: every incident opened at once
    await Promise.all(
      incidents.map((incidentId, n) =>
        replicas.open(
          incidentId,
          finding({
            type: findingTypes.c2Dns,
            severity: 8,
            findingId: `f-${incidentId}`,
            resource: { kind: 'instance', instanceId: `i-00000000000b1a${String(n).padStart(3, '0')}` },
          }),
        ),
      ),
    );
    const containmentOf = async (incidentId: string) =>
      (await replicas.incident(incidentId))?.steps.find((step) => step.action === 'contain.ec2-instance');
    await eventually(
      async () => {
        for (const incidentId of incidents) {
          const status = (await containmentOf(incidentId))?.status;
          if (status !== 'dispatched' && status !== 'awaiting-approval') return false;
        }
        return true;
      },
      60_000,
      'every containment dispatched or held',
    );
    // Assess: read back from the table, and from the isolator's queue
    const containments = await Promise.all(incidents.map(containmentOf));
    const automatic = containments.filter((step) => step?.status === 'dispatched');
    const held = containments.filter((step) => step?.status === 'awaiting-approval');
    expect(automatic).toHaveLength(MAX);
    expect(automatic.every((step) => step?.countedAutomatic === true)).toBe(true);
    expect(held).toHaveLength(INCIDENTS - MAX);
    expect(held.every((step) => JSON.stringify(step?.holdReasons) === '["blast-radius"]')).toBe(true);
    const sent = await replicas.commands(MAX, ['isolator']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sent.push(...(await replicas.commands(0, ['isolator'])));
    expect(new Set(sent.map((command) => command.incidentId)).size).toBe(MAX);
    expect(sent.every((command) => command.type === 'contain.ec2-instance')).toBe(true);
    const slots = await replicas.repository.blastSlots(MAX + 1);
    expect(freeSlots(slots, MAX, new Date(), 3600)).toEqual([]);
    expect(slots[MAX]).toBeUndefined();
    expect(await queueDepth(replicas.clients.sqs, replicas.system.queues.coordinator.dlqUrl)).toBe(0);
  });
});
