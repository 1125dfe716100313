import { findingTypes } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_ROOM_AUTO_APPROVER } from '../../src/state/clean-room.js';
import { coordinatorFixture, type Fixture, finding, TEST_TOKEN } from './harness.js';
import { playWorkers } from './worker-double.js';

const INSTANCE = 'i-0c1ea0c1ea0c1ea01';

describe('response coordinator: clean room auto-approved for CRITICAL and torn down on resolve (on the emulator)', () => {
  let fixture: Fixture;
  let base: string;
  beforeAll(async () => {
    fixture = await coordinatorFixture({ IR_AUTO_APPROVE_CLEAN_ROOM: 'CRITICAL' });
    base = (await fixture.start()).base;
  });
  afterAll(async () => fixture.stop());

  it('runs the shipped clean-room step without waiting, then dispatches the teardown after resolve and records its result', async () => {
    // Prepare
    const incidentId = 'inc-clean-room';
    await fixture.open(
      incidentId,
      finding({
        type: findingTypes.c2Dns,
        severity: 9.5,
        resource: { kind: 'instance', instanceId: INSTANCE },
      }),
    );
    await playWorkers(fixture, incidentId, {
      until: (status) => status === 'completed',
      what: 'CRITICAL ec2-compromise completed',
    });
    // Act
    const response = await fetch(`${base}/incidents/${incidentId}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reason: 'investigated',
        disposition: 'true-positive',
        category: 'malware',
      }),
    });
    await playWorkers(fixture, incidentId, {
      until: (status, steps) =>
        status === 'resolved' && steps[`teardown:clean-room:${INSTANCE}`] === 'succeeded',
      what: 'clean room torn down after resolve',
    });
    // Assess
    expect(response.status).toBe(202);
    const aggregate = await fixture.incident(incidentId);
    const step = (id: string) => aggregate?.steps.find((s) => s.stepId === id);
    expect(step(`clean-room:${INSTANCE}`)).toMatchObject({
      status: 'succeeded',
      approvedBy: CLEAN_ROOM_AUTO_APPROVER,
      holdReasons: [],
    });
    expect(step('notify-investigated')?.status).toBe('succeeded');
    expect(step(`teardown:clean-room:${INSTANCE}`)).toMatchObject({
      action: 'evidence.clean-room-teardown',
      origin: 'coordinator',
      status: 'succeeded',
    });
    const teardown = fixture.seen.find(
      (command) => command.incidentId === incidentId && command.type === 'evidence.clean-room-teardown',
    );
    expect(teardown?.queue).toBe('forensics');
    expect(teardown?.payload.params).toEqual({ cleanRoomStepId: `clean-room:${INSTANCE}` });
    expect(aggregate?.incident.status).toBe('resolved');
  });
});
