import type { MessageOf } from '@ir/contracts';
import {
  findingTypes,
  guardDutyEventBridgeFinding,
  nativeFinding,
  eventually,
  queueDepth,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DetectionFixture, detectionFixture } from './harness.js';

const RESOURCES = 20;
const FINDINGS_PER_RESOURCE = 5;
const EMISSIONS_PER_FINDING = 10;
const TOTAL = RESOURCES * FINDINGS_PER_RESOURCE * EMISSIONS_PER_FINDING;
const TYPES = Object.values(findingTypes).filter((type) => type.includes(':EC2/'));

let fixture: DetectionFixture;
beforeAll(async () => {
  fixture = await detectionFixture();
});
afterAll(async () => {
  await fixture.stop();
});

/*
 * Why this test is slow: each finding costs 6–7 emulator calls and moto serialises the DynamoDB ones,
 * so it takes about a minute and a half alone and longer on a busy machine (three minutes alone before
 * the testkit's moto launcher stopped moto recounting the queue for every received message). It
 * asserts outcomes, never speed.
 */

/** 1,000 raw findings: 20 instances × 5 finding ids × 10 emissions (rising updatedAt and count), shuffled. */
function storm(): string[] {
  const bodies: string[] = [];
  for (let r = 0; r < RESOURCES; r += 1) {
    const resource = { kind: 'instance', instanceId: `i-0570${String(r).padStart(13, '0')}` } as const;
    for (let f = 0; f < FINDINGS_PER_RESOURCE; f += 1) {
      const findingId = `storm${String(r).padStart(3, '0')}${String(f).padStart(3, '0')}`;
      for (let e = 0; e < EMISSIONS_PER_FINDING; e += 1) {
        const options = {
          findingId,
          resource,
          type: TYPES[f % TYPES.length],
          updatedAt: new Date(Date.UTC(2024, 4, 2, 14, e * 15)).toISOString(),
          count: e + 1,
        };
        // Finding ids ending in an odd digit come from a custom detector in our own format.
        bodies.push(
          JSON.stringify(f % 2 === 0 ? guardDutyEventBridgeFinding(options) : nativeFinding(options)),
        );
      }
    }
  }
  for (let i = bodies.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [bodies[i], bodies[j]] = [bodies[j] as string, bodies[i] as string];
  }
  return bodies;
}

describe('detection service under a storm, two replicas on one queue', () => {
  it('turns 1,000 findings about 20 resources into exactly 20 incidents and 980 coalesced', {
    timeout: 900_000,
  }, async () => {
    // Prepare
    const bodies = storm();
    await fixture.sendFindings(bodies);
    // Act
    const replicas = await Promise.all([fixture.start(), fixture.start()]);
    await eventually(
      async () =>
        (await fixture.findingsCounted(replicas, 'accepted')) +
          (await fixture.findingsCounted(replicas, 'coalesced')) >=
        TOTAL,
      300_000,
      'all findings counted',
    );
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
      60_000,
      'findings queue drained',
    );
    // Assess: the counters of both replicas together
    expect(await fixture.findingsCounted(replicas, 'accepted')).toBe(RESOURCES);
    expect(await fixture.findingsCounted(replicas, 'coalesced')).toBe(TOTAL - RESOURCES);
    for (const replica of replicas)
      expect(await fixture.findingsCounted([replica], 'coalesced')).toBeGreaterThan(0);
    // Assess: the table, read back
    const items = await fixture.tableItems();
    const resources = items.filter((item) => String(item.pk).startsWith('RESOURCE#'));
    const findings = items.filter((item) => String(item.pk).startsWith('FINDING#'));
    expect(resources).toHaveLength(RESOURCES);
    expect(new Set(resources.map((item) => item.incidentId)).size).toBe(RESOURCES);
    expect(findings).toHaveLength(RESOURCES * FINDINGS_PER_RESOURCE);
    const incidentOf = new Map(resources.map((item) => [String(item.pk).split(':').pop(), item.incidentId]));
    for (const finding of findings) {
      const resourceIndex = Number(String(finding.pk).split('#').pop()?.slice(5, 8));
      expect(finding.incidentId).toBe(incidentOf.get(`i-0570${String(resourceIndex).padStart(13, '0')}`));
      expect(finding.count).toBe(String(EMISSIONS_PER_FINDING));
      expect(finding.firstPublished).toBe(true);
    }
    // Assess: what the coordinator received, once both replicas stopped (and sent what they held back)
    await Promise.all(replicas.map((replica) => replica.stop()));
    const published = fixture.lines.filter((line) => line.msg === 'incident_message_published').length;
    const messages = await fixture.coordinatorMessages(published, 60_000);
    expect(messages).toHaveLength(published);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
    // A delivery that died between deciding and publishing is republished with the same id.
    const distinct = [...new Map(messages.map((message) => [message.id, message])).values()];
    const opened = distinct.filter((message) => message.type === 'incident.opened');
    expect(opened).toHaveLength(RESOURCES);
    const incidents = new Set(incidentOf.values());
    expect(new Set(opened.map((message) => message.incidentId))).toEqual(incidents);
    expect(messages.every((message) => incidents.has(message.incidentId))).toBe(true);
    // Re-emissions held back (IR_REEMISSION_FORWARD_SECONDS) still bring each incident the newest version.
    const newest = new Map<string, number>();
    for (const message of distinct) {
      const { finding } = (message as MessageOf<'incident.opened' | 'incident.updated'>).payload;
      newest.set(finding.id, Math.max(newest.get(finding.id) ?? 0, finding.count));
    }
    expect(newest.size).toBe(RESOURCES * FINDINGS_PER_RESOURCE);
    expect(new Set(newest.values())).toEqual(new Set([EMISSIONS_PER_FINDING]));
  });
});
