import { findingTypes, queueDepth } from '@ir/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentAggregate } from '../../src/model.js';
import { coordinatorFixture, type Fixture, finding, result } from './harness.js';
import { preStateOf } from './worker-double.js';

/** What must be identical between runs: statuses, plan, and the timeline's kinds (not times or ids). */
function shape(aggregate: IncidentAggregate | undefined) {
  return {
    status: aggregate?.incident.status,
    playbookId: aggregate?.incident.playbookId,
    firstContained: aggregate?.incident.firstContainedAt !== undefined,
    sealed: aggregate?.incident.evidenceSealedAt !== undefined,
    steps: Object.fromEntries(
      (aggregate?.steps ?? []).map((step) => [
        step.stepId,
        { status: step.status, action: step.action, after: step.after },
      ]),
    ),
  };
}

async function run(fixture: Fixture, incidentId: string, twice: boolean): Promise<void> {
  const subject = finding({
    type: findingTypes.bitcoinDns,
    severity: 8,
    findingId: 'f-replicas',
    resource: { kind: 'instance', instanceId: 'i-0feedfeedfeedfeed' },
  });
  const opened = await fixture.open(incidentId, subject);
  if (twice) await fixture.send(opened);
  const answered = new Set<string>();
  for (let round = 0; round < 40; round += 1) {
    const commands = await fixture.commands(0);
    for (const command of commands) {
      if (answered.has(command.payload.stepId)) continue;
      answered.add(command.payload.stepId);
      const answer = result(command, {
        preState: command.type.startsWith('contain.') ? preStateOf(command) : undefined,
      });
      await fixture.send(answer);
      if (twice) await fixture.send(answer);
    }
    const aggregate = await fixture.incident(incidentId);
    if (aggregate?.incident.status === 'completed') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`incident ${incidentId} did not complete`);
}

describe('response coordinator under duplicate delivery and two replicas (on the emulator)', () => {
  const fixtures: Fixture[] = [];
  afterAll(async () => Promise.all(fixtures.map((fixture) => fixture.stop())));

  it('ends in the same incident as a single clean run', async () => {
    // Prepare
    const clean = await coordinatorFixture();
    const racy = await coordinatorFixture();
    fixtures.push(clean, racy);
    await clean.start();
    await racy.start();
    await racy.start();
    // Act
    await run(clean, 'inc-clean', false);
    await run(racy, 'inc-clean', true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Assess
    const expected = await clean.incident('inc-clean');
    const actual = await racy.incident('inc-clean');
    expect(shape(actual)).toEqual(shape(expected));
    expect(expected?.incident.status).toBe('completed');
    const timeline = async (fixture: Fixture) =>
      (await fixture.repository.load('inc-clean')).timeline
        .map((entry) => `${entry.kind}:${entry.stepId ?? ''}`)
        .sort();
    expect(await timeline(racy)).toEqual(await timeline(clean));
    const commandsPerStep = new Map<string, number>();
    for (const command of racy.seen)
      commandsPerStep.set(command.payload.stepId, (commandsPerStep.get(command.payload.stepId) ?? 0) + 1);
    expect([...commandsPerStep.values()].every((count) => count === 1)).toBe(true);
    expect(await queueDepth(racy.clients.sqs, racy.system.queues.coordinator.dlqUrl)).toBe(0);
  });
});
