import { randomUUID } from 'node:crypto';
import { type MessageOf, parseFindings } from '@ir/contracts';
import { eventually, guardDutyEventBridgeFinding, queueDepth } from '@ir/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCoalescingStore } from '../../src/coalescing/coalescing-store.js';
import type { DetectionService } from '../../src/service.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

/* IR_REEMISSION_FORWARD_SECONDS against the emulator: what reaches the coordinator queue, read back. */

const INTERVAL_SECONDS = 8;

let fixture: DetectionFixture;
beforeAll(async () => {
  fixture = await detectionFixture();
});
afterAll(async () => {
  await fixture.stop();
});
let service: DetectionService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

let serial = 0;
/** A finding id of its own and versions of it: `emission(count, severity?)`. */
function findingAbout(instanceId: string) {
  const findingId = `throttle${String(++serial).padStart(20, '0')}`;
  const emission = (count: number, severity = 5) =>
    JSON.stringify(
      guardDutyEventBridgeFinding({
        findingId,
        resource: { kind: 'instance', instanceId },
        updatedAt: new Date(Date.UTC(2024, 4, 2, 14, count)).toISOString(),
        count,
        severity,
      }),
    );
  return { findingId, emission };
}

async function drained(running: DetectionService, handled: number) {
  await eventually(
    async () =>
      (await fixture.findingsCounted([running], 'accepted')) +
        (await fixture.findingsCounted([running], 'coalesced')) >=
      handled,
    60_000,
  );
  await eventually(
    async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    60_000,
  );
}

const updatedCount = (message: unknown) => (message as MessageOf<'incident.updated'>).payload.finding.count;

describe('re-emissions the coordinator would not act on', () => {
  it('forwards the first at once, holds the rest and forwards only the newest when the interval ends', async () => {
    // Prepare
    const running = await fixture.start({ IR_REEMISSION_FORWARD_SECONDS: String(INTERVAL_SECONDS) });
    service = running;
    const { findingId, emission } = findingAbout('i-0f0a0000000000001');
    await fixture.sendFindings([emission(1)]);
    const [opened] = await fixture.coordinatorMessages(1);
    await fixture.sendFindings([emission(2)]);
    const [atOnce] = await fixture.coordinatorMessages(1);
    // Act: five more versions inside the interval, one message each
    await fixture.sendFindings([3, 4, 5, 6, 7].map((count) => emission(count)));
    await drained(running, 7);
    const depthWhileHeld = await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url);
    const [released] = await fixture.coordinatorMessages(1, (INTERVAL_SECONDS + 30) * 1000);
    // Assess: the queue, and the finding item, read back from the emulator
    expect(opened?.type).toBe('incident.opened');
    expect(updatedCount(atOnce)).toBe(2);
    expect(depthWhileHeld).toBe(0);
    expect(released?.type).toBe('incident.updated');
    expect(released?.incidentId).toBe(opened?.incidentId);
    expect(updatedCount(released)).toBe(7);
    const item = (await fixture.tableItems()).find(
      (candidate) => candidate.pk === `FINDING#guardduty#123456789012#${findingId}`,
    );
    expect(item).toMatchObject({ count: '7', lastPublished: true, lastMessageId: released?.id });
    // The five are handled concurrently: one handled after a newer one is stale, not a re-emission.
    const handling = Object.fromEntries(
      (await running.metrics.reEmissionsTotal.get()).values.map((value) => [
        value.labels.handling,
        value.value,
      ]),
    );
    expect(handling.forwarded).toBe(1);
    expect(handling.held).toBeGreaterThanOrEqual(1);
    expect(handling.held).toBeLessThanOrEqual(5);
    expect((await running.metrics.reEmissionsReleasedTotal.get()).values).toEqual([
      expect.objectContaining({ labels: { result: 'published' }, value: 1 }),
    ]);
  });

  it('forwards a raised severity at once, and on stop forwards what it still holds', async () => {
    // Prepare: a long interval, so nothing is released by time in this test
    const running = await fixture.start({ IR_REEMISSION_FORWARD_SECONDS: '600' });
    service = running;
    const { emission } = findingAbout('i-0f0a0000000000002');
    await fixture.sendFindings([emission(1)]);
    await fixture.coordinatorMessages(1);
    await fixture.sendFindings([emission(2)]);
    await fixture.coordinatorMessages(1);
    await fixture.sendFindings([emission(3), emission(4)]);
    await drained(running, 4);
    const depthWhileHeld = await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url);
    // Act
    await fixture.sendFindings([emission(5, 8)]);
    const [raised] = await fixture.coordinatorMessages(1);
    await fixture.sendFindings([emission(6, 8)]);
    await drained(running, 6);
    await running.stop();
    const [onStop] = await fixture.coordinatorMessages(1);
    // Assess: version 3 and 4 were held and superseded by the raised 5; 6 went out on stop
    expect(depthWhileHeld).toBe(0);
    expect(raised?.type).toBe('incident.updated');
    expect(updatedCount(raised)).toBe(5);
    expect((raised as MessageOf<'incident.updated'>).payload.finding.severity.band).toBe('HIGH');
    expect(updatedCount(onStop)).toBe(6);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
  });
});

describe('an entry its writer has not sent yet', () => {
  it('is not republished by an older copy, whose body is older, but by a copy of its own version', async () => {
    // Prepare: version 10 recorded as by a writer that decided and has not published yet
    const { findingId, emission } = findingAbout('i-0f0a0000000000003');
    const store = createCoalescingStore({
      dynamodb: fixture.clients.dynamodb,
      tableName: fixture.system.tableName,
      windowSeconds: 3600,
      memorySeconds: 86_400,
      newIncidentId: () => 'inc-unsent',
      newMessageId: randomUUID,
    });
    const [newest] = parseFindings(emission(10));
    if (!newest) throw new Error('the factory made no finding');
    const decided = await store.record({
      finding: newest,
      receivedAt: new Date(),
      suppressionUnevaluated: false,
    });
    const running = await fixture.start();
    service = running;
    // Act
    await fixture.sendFindings([emission(3)]);
    await drained(running, 1);
    const depthAfterOlder = await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url);
    await fixture.sendFindings([emission(10)]);
    const [republished] = await fixture.coordinatorMessages(1);
    // Assess: the writer's message id, with version 10's body; the item marked sent
    expect(decided.decision).toBe('opened');
    expect(depthAfterOlder).toBe(0);
    expect(republished?.id).toBe(decided.outbox[0]?.messageId);
    expect((republished as MessageOf<'incident.opened'>).payload.finding.count).toBe(10);
    const item = (await fixture.tableItems()).find(
      (candidate) => candidate.pk === `FINDING#guardduty#123456789012#${findingId}`,
    );
    expect(item).toMatchObject({ count: '10', firstPublished: true });
  });
});
