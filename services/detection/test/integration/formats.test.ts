import { type MessageOf, resourceKey } from '@ir/contracts';
import {
  eventually,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  nativeFinding,
  queueDepth,
  securityHubImportedEvent,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionService } from '../../src/service.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

let fixture: DetectionFixture;
let service: DetectionService;
let nextIncident = 0;

beforeAll(async () => {
  fixture = await detectionFixture();
  service = await fixture.start({}, { newIncidentId: () => `inc-format-${++nextIncident}` });
});
afterAll(async () => {
  await fixture.stop();
});

/** Waits until the findings queue is drained and `count` findings have been counted in total. */
async function processed(count: number) {
  const outcomes = ['accepted', 'coalesced', 'suppressed', 'sample', 'rejected'];
  await eventually(async () => {
    let total = 0;
    for (const outcome of outcomes) total += await fixture.findingsCounted([service], outcome);
    return total >= count;
  });
  await eventually(
    async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
  );
}

let counted = 0;
const expectOpened = (message: unknown) => message as MessageOf<'incident.opened'>;

describe('detection service, each finding format end to end', () => {
  it('opens an incident for a GuardDuty finding delivered by EventBridge', async () => {
    // Prepare
    const event = guardDutyEventBridgeFinding({
      resource: { kind: 'instance', instanceId: 'i-0eb00000000000001' },
      severity: 8.5,
    });
    // Act
    await fixture.sendFindings([JSON.stringify(event)]);
    const [message] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Assess
    const opened = expectOpened(message);
    expect(opened.type).toBe('incident.opened');
    expect(opened.producer).toBe('detection');
    expect(opened.correlationId).toBe(opened.incidentId);
    expect(opened.incidentId).toMatch(/^inc-format-\d+$/);
    expect(opened.dryRun).toBe(false);
    expect(opened.payload.severityBand).toBe('HIGH');
    expect(opened.payload.flags).toEqual({});
    expect(opened.payload.finding).toMatchObject({
      source: 'guardduty',
      id: event.detail.id,
      severity: { score: 8.5, band: 'HIGH' },
      resources: [{ kind: 'ec2-instance', instanceId: 'i-0eb00000000000001' }],
    });
    const items = await fixture.tableItems();
    expect(items).toContainEqual(
      expect.objectContaining({
        pk: `RESOURCE#123456789012#ec2-instance:i-0eb00000000000001`,
        sk: 'OPEN',
        incidentId: opened.incidentId,
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        pk: `FINDING#guardduty#123456789012#${String(event.detail.id)}`,
        incidentId: opened.incidentId,
        firstPublished: true,
      }),
    );
  });

  it('opens an incident for a GuardDuty finding in the GetFindings (API) shape', async () => {
    // Prepare
    const finding = guardDutyApiFinding({
      resource: { kind: 'instance', instanceId: 'i-0a9100000000000002' },
      severity: 5,
    });
    // Act
    await fixture.sendFindings([JSON.stringify({ Findings: [finding] })]);
    const [message] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Assess
    const opened = expectOpened(message);
    expect(opened.type).toBe('incident.opened');
    expect(opened.payload.severityBand).toBe('MEDIUM');
    expect(opened.payload.finding).toMatchObject({
      source: 'guardduty',
      id: finding.Id,
      resources: [{ kind: 'ec2-instance', instanceId: 'i-0a9100000000000002' }],
    });
  });

  it('opens one incident per finding of a Security Hub event carrying several', async () => {
    // Prepare
    const ids = ['i-05b000000000000a1', 'i-05b000000000000a2', 'i-05b000000000000a3'];
    const event = securityHubImportedEvent({
      findings: ids.map((instanceId) => ({ resource: { kind: 'instance', instanceId }, severity: 9.2 })),
    });
    // Act
    await fixture.sendFindings([JSON.stringify(event)]);
    const messages = await fixture.coordinatorMessages(3);
    counted += 3;
    await processed(counted);
    // Assess
    expect(messages.map((message) => message.type)).toEqual([
      'incident.opened',
      'incident.opened',
      'incident.opened',
    ]);
    const opened = messages.map(expectOpened);
    expect(new Set(opened.map((message) => message.incidentId)).size).toBe(3);
    expect(
      opened
        .map(
          (message) =>
            message.payload.finding.resources[0] && resourceKey(message.payload.finding.resources[0]),
        )
        .sort(),
    ).toEqual(ids.map((id) => `ec2-instance:${id}`));
    for (const message of opened) {
      expect(message.payload.finding.source).toBe('securityhub');
      expect(message.payload.severityBand).toBe('CRITICAL');
    }
    expect(await fixture.findingsCounted([service], 'accepted', 'securityhub')).toBe(3);
  });

  it('opens an incident for a native ir.finding/v1 finding', async () => {
    // Prepare
    const finding = nativeFinding({
      resource: { kind: 's3', buckets: ['acme-native-logs'] },
      type: 'Custom:S3/PublicWrite',
      severity: 7,
    });
    // Act
    await fixture.sendFindings([JSON.stringify(finding)]);
    const [message] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Assess
    const opened = expectOpened(message);
    expect(opened.payload.finding).toMatchObject({
      source: 'native',
      id: finding.id,
      type: 'Custom:S3/PublicWrite',
      resources: [{ kind: 's3-bucket', bucketName: 'acme-native-logs' }],
    });
    expect(opened.payload.severityBand).toBe('HIGH');
  });

  it('turns a re-emitted finding into incident.updated and ignores an older copy', async () => {
    // Prepare
    const base = {
      findingId: 'reemit0000000000000000000001',
      resource: { kind: 'instance', instanceId: 'i-0ee00000000000005' },
    } as const;
    await fixture.sendFindings([
      JSON.stringify(guardDutyEventBridgeFinding({ ...base, updatedAt: '2024-05-02T14:00:00.000Z' })),
    ]);
    const [first] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Act
    await fixture.sendFindings([
      JSON.stringify(
        guardDutyEventBridgeFinding({ ...base, updatedAt: '2024-05-02T14:30:00.000Z', count: 7 }),
      ),
    ]);
    const [update] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    await fixture.sendFindings([
      JSON.stringify(
        guardDutyEventBridgeFinding({ ...base, updatedAt: '2024-05-02T14:10:00.000Z', count: 3 }),
      ),
    ]);
    counted += 1;
    await processed(counted);
    // Assess
    expect(update?.type).toBe('incident.updated');
    expect(update?.incidentId).toBe(first?.incidentId);
    const updated = update as MessageOf<'incident.updated'>;
    expect(updated.payload.reason).toBe('re-emitted');
    expect(updated.payload.finding.count).toBe(7);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
    const items = await fixture.tableItems();
    expect(items).toContainEqual(
      expect.objectContaining({
        pk: `FINDING#guardduty#123456789012#${base.findingId}`,
        incidentId: first?.incidentId,
        updatedAt: '2024-05-02T14:30:00.000Z',
        count: '7',
        lastPublished: true,
      }),
    );
  });

  it('counts a redelivered finding once and sends nothing for it', async () => {
    // Prepare
    const body = JSON.stringify(
      guardDutyEventBridgeFinding({ resource: { kind: 'instance', instanceId: 'i-0d0b0000000000007' } }),
    );
    await fixture.sendFindings([body]);
    const [first] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    const acceptedBefore = await fixture.findingsCounted([service], 'accepted');
    // Act
    await fixture.sendFindings([body]);
    await eventually(async () => ((await service.metrics.duplicatesTotal.get()).values[0]?.value ?? 0) === 1);
    await processed(counted);
    // Assess
    expect(first?.type).toBe('incident.opened');
    expect(await fixture.findingsCounted([service], 'accepted')).toBe(acceptedBefore);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
  });

  it('attaches a different finding about the same resource to its open incident', async () => {
    // Prepare
    const resource = { kind: 'instance', instanceId: 'i-0a7700000000000006' } as const;
    await fixture.sendFindings([
      JSON.stringify(guardDutyEventBridgeFinding({ resource, type: 'Backdoor:EC2/C&CActivity.B!DNS' })),
    ]);
    const [first] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Act
    await fixture.sendFindings([
      JSON.stringify(nativeFinding({ resource, type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' })),
    ]);
    const [attached] = await fixture.coordinatorMessages(1);
    counted += 1;
    await processed(counted);
    // Assess
    expect(attached?.type).toBe('incident.updated');
    expect(attached?.incidentId).toBe(first?.incidentId);
    const updated = attached as MessageOf<'incident.updated'>;
    expect(updated.payload.reason).toBe('attached');
    expect(updated.payload.finding.source).toBe('native');
  });
});
