import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { MessageOf } from '@ir/contracts';
import { guardDutyEventBridgeFinding } from '@ir/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DetectionFixture, detectionFixture } from './harness.js';

/*
 * Issue 20, attack sequences: a sequence coalesces on every resource it names. It joins an incident
 * already open about one of them, and a later finding about any of them joins the sequence's
 * incident. The coalescing decisions are read back from the incident table on the emulator.
 */

let fixture: DetectionFixture;
beforeEach(async () => {
  fixture = await detectionFixture();
});
afterEach(async () => {
  await fixture.stop();
});

const NODE = 'i-0node0000000000001';
const SEQUENCE_KEYS = [
  'eks-cluster:payments-prod',
  'eks-workload:payments-prod/payments/pods/miner-7d9f8',
  'container:containerd://7f3e2d1c0b9a',
  `ec2-instance:${NODE}`,
  'iam-access-key:role/deployer',
];

/** AWS's documented EKS attack-sequence sample, as EventBridge delivers it, with a fresh finding id. */
function eksSequence(updatedAt: string): string {
  const url = new URL(
    '../../../../packages/contracts/test/fixtures/guardduty-eventbridge-attack-sequence-eks.json',
    import.meta.url,
  );
  const { payload } = JSON.parse(readFileSync(url, 'utf8')) as {
    payload: { id: string; time: string; detail: { id: string; updatedAt: string } };
  };
  payload.id = randomUUID();
  payload.time = updatedAt;
  payload.detail.id = randomUUID().replaceAll('-', '');
  payload.detail.updatedAt = updatedAt;
  return JSON.stringify(payload);
}

/** A GuardDuty finding about the sequence's node alone (its account is the sample's). */
function nodeFinding(updatedAt: string): string {
  return JSON.stringify(
    guardDutyEventBridgeFinding({
      accountId: '123456789012',
      updatedAt,
      resource: { kind: 'instance', instanceId: NODE },
    }),
  );
}

/** The open incident of each resource, as the RESOURCE items of the table say. */
async function openIncidents(): Promise<Record<string, unknown>> {
  const items = await fixture.tableItems();
  return Object.fromEntries(
    items
      .filter((item) => String(item.pk).startsWith('RESOURCE#123456789012#'))
      .map((item) => [String(item.pk).slice('RESOURCE#123456789012#'.length), item.incidentId]),
  );
}

describe('detection service, attack sequences', () => {
  it('joins a sequence to the incident already open about its node, and claims its other resources', async () => {
    // Prepare
    let next = 0;
    await fixture.start({}, { newIncidentId: () => `inc-seq-${++next}` });
    await fixture.sendFindings([nodeFinding('2024-05-02T13:50:00.000Z')]);
    const [first] = await fixture.coordinatorMessages(1);
    // Act
    await fixture.sendFindings([eksSequence('2024-05-02T13:56:00.000Z')]);
    const [joined] = await fixture.coordinatorMessages(1);
    // Assess
    expect(first?.type).toBe('incident.opened');
    expect(joined?.type).toBe('incident.updated');
    expect(joined?.incidentId).toBe(first?.incidentId);
    expect((joined as MessageOf<'incident.updated'>).payload.reason).toBe('attached');
    const open = await openIncidents();
    for (const key of SEQUENCE_KEYS) expect(open[key], key).toBe(first?.incidentId);
  });

  it('opens one incident for a sequence, which a later finding about any of its resources joins', async () => {
    // Prepare
    let next = 0;
    await fixture.start({}, { newIncidentId: () => `inc-seq-${++next}` });
    await fixture.sendFindings([eksSequence('2024-05-02T13:56:00.000Z')]);
    const [opened] = await fixture.coordinatorMessages(1);
    // Act
    await fixture.sendFindings([nodeFinding('2024-05-02T13:58:00.000Z')]);
    const [later] = await fixture.coordinatorMessages(1);
    // Assess
    expect(opened?.type).toBe('incident.opened');
    expect((opened as MessageOf<'incident.opened'>).payload.finding.resources).toHaveLength(6);
    expect(later?.type).toBe('incident.updated');
    expect(later?.incidentId).toBe(opened?.incidentId);
    const open = await openIncidents();
    for (const key of SEQUENCE_KEYS) expect(open[key], key).toBe(opened?.incidentId);
  });

  it('leaves a single-resource finding coalescing on its first resource only', async () => {
    // Prepare
    await fixture.start();
    // Act
    await fixture.sendFindings([nodeFinding('2024-05-02T13:50:00.000Z')]);
    const [opened] = await fixture.coordinatorMessages(1);
    // Assess
    expect(await openIncidents()).toEqual({ [`ec2-instance:${NODE}`]: opened?.incidentId });
  });
});
