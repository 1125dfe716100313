import type { MessageOf } from '@ir/contracts';
import {
  eventually,
  guardDutyEventBridgeFinding,
  nativeFinding,
  queueDepth,
  securityHubImportedEvent,
} from '@ir/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DetectionFixture, detectionFixture } from './harness.js';

let fixture: DetectionFixture;
beforeEach(async () => {
  fixture = await detectionFixture();
});
afterEach(async () => {
  await fixture.stop();
});

const drained = () =>
  eventually(async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0);

describe('detection service, sample findings', () => {
  it('counts and skips GuardDuty sample findings by default', async () => {
    // Prepare
    const service = await fixture.start();
    // Act
    await fixture.sendFindings([
      JSON.stringify(guardDutyEventBridgeFinding({ sample: true })),
      JSON.stringify(securityHubImportedEvent({ sample: true })),
    ]);
    await eventually(async () => (await fixture.findingsCounted([service], 'sample')) === 2);
    await drained();
    // Assess
    expect(await fixture.findingsCounted([service], 'sample', 'guardduty')).toBe(1);
    expect(await fixture.findingsCounted([service], 'sample', 'securityhub')).toBe(1);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
    expect(await fixture.tableItems()).toEqual([]);
  });

  it('opens incidents for sample findings when IR_ACCEPT_SAMPLE_FINDINGS=true', async () => {
    // Prepare
    const service = await fixture.start({ IR_ACCEPT_SAMPLE_FINDINGS: 'true' });
    // Act
    await fixture.sendFindings([JSON.stringify(guardDutyEventBridgeFinding({ sample: true }))]);
    const [message] = await fixture.coordinatorMessages(1);
    // Assess
    expect(message?.type).toBe('incident.opened');
    expect((message as MessageOf<'incident.opened'>).payload.finding.sample).toBe(true);
    expect(await fixture.findingsCounted([service], 'accepted')).toBe(1);
  });
});

describe('detection service, the coalescing window', () => {
  it('attaches within the window and opens a new incident once the resource has been quiet longer', async () => {
    // Prepare: a clock the test moves; a 10-minute window.
    let now = new Date('2024-05-02T15:00:00.000Z');
    await fixture.start({ IR_COALESCE_WINDOW_SECONDS: '600', IR_DRY_RUN: 'true' }, { now: () => now });
    const resource = { kind: 'instance', instanceId: 'i-0w1nd0000000000001' } as const;
    await fixture.sendFindings([JSON.stringify(guardDutyEventBridgeFinding({ resource }))]);
    const [first] = await fixture.coordinatorMessages(1);
    // Act
    now = new Date('2024-05-02T15:09:00.000Z');
    await fixture.sendFindings([JSON.stringify(nativeFinding({ resource }))]);
    const [attached] = await fixture.coordinatorMessages(1);
    now = new Date('2024-05-02T15:20:00.000Z');
    await fixture.sendFindings([JSON.stringify(nativeFinding({ resource }))]);
    const [reopened] = await fixture.coordinatorMessages(1);
    // Assess
    expect(first?.type).toBe('incident.opened');
    expect(first?.dryRun).toBe(true);
    expect(attached?.type).toBe('incident.updated');
    expect(attached?.incidentId).toBe(first?.incidentId);
    expect(reopened?.type).toBe('incident.opened');
    expect(reopened?.incidentId).not.toBe(first?.incidentId);
    const items = await fixture.tableItems();
    // IR_DRY_RUN is on: dry-run incidents keep their own coalescing keys, never mixed with live ones.
    const open = items.filter((item) => String(item.pk).startsWith('DRYRUN#RESOURCE#'));
    expect(open).toEqual([
      expect.objectContaining({
        incidentId: reopened?.incidentId,
        openedAt: '2024-05-02T15:20:00.000Z',
        lastFindingAt: '2024-05-02T15:20:00.000Z',
      }),
    ]);
  });

  it('moves the resource window forward with the first re-emission of each touch period only', async () => {
    // Prepare: a 10-minute window, so a touch period of 10 s; a clock the test moves.
    let now = new Date('2024-05-02T15:00:00.000Z');
    const service = await fixture.start({ IR_COALESCE_WINDOW_SECONDS: '600' }, { now: () => now });
    const resource = { kind: 'instance', instanceId: 'i-0t0uc000000000001' } as const;
    const emission = (count: number) =>
      JSON.stringify(
        guardDutyEventBridgeFinding({
          findingId: 'touch000000000000000000000001',
          resource,
          count,
          updatedAt: new Date(Date.UTC(2024, 4, 2, 14, count)).toISOString(),
        }),
      );
    const lastFindingAt = async () =>
      (await fixture.tableItems()).find((item) => String(item.pk).startsWith('RESOURCE#'))?.lastFindingAt;
    const handled = (count: number) =>
      eventually(
        async () =>
          (await fixture.findingsCounted([service], 'accepted')) +
            (await fixture.findingsCounted([service], 'coalesced')) ===
          count,
      );
    await fixture.sendFindings([emission(1)]);
    await handled(1);
    // Act: 15:00:05 is in the first version's period; 15:00:12 opens the next; 15:00:15 is in it
    const seen: unknown[] = [];
    for (const [count, at] of [
      [2, '15:00:05'],
      [3, '15:00:12'],
      [4, '15:00:15'],
    ] as const) {
      now = new Date(`2024-05-02T${at}.000Z`);
      await fixture.sendFindings([emission(count)]);
      await handled(count);
      seen.push(await lastFindingAt());
    }
    // Assess: read back from the table after each
    expect(seen).toEqual([
      '2024-05-02T15:00:00.000Z',
      '2024-05-02T15:00:12.000Z',
      '2024-05-02T15:00:12.000Z',
    ]);
  });
});
