import { DlqAttribute } from '@ir/runtime';
import {
  eventually,
  guardDutyEventBridgeFinding,
  nativeFinding,
  queueDepth,
  receiveMessages,
  securityHubImportedEvent,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionService } from '../../src/service.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

let fixture: DetectionFixture;
let service: DetectionService;
beforeAll(async () => {
  fixture = await detectionFixture();
  service = await fixture.start();
});
afterAll(async () => {
  await fixture.stop();
});

/** A native finding padded past 256 KiB (262,144 bytes), the size of the largest EventBridge event. */
function oversized(): string {
  const finding = nativeFinding({ resource: { kind: 'instance', instanceId: 'i-0b1g0000000000001' } });
  const body = JSON.stringify({ ...finding, description: '' });
  return JSON.stringify({ ...finding, description: 'x'.repeat(262_145 - body.length) });
}

describe('detection service, poison messages mixed with good ones', () => {
  it('processes every good finding and dead-letters every bad one with its reason', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const badAccount = guardDutyEventBridgeFinding();
    badAccount.detail = { ...badAccount.detail, accountId: 'not-an-account' };
    const poison: Record<string, string> = {
      'not-json': '{"detail-type": "GuardDuty Finding", ',
      'unknown-format': JSON.stringify({ hello: 'world' }),
      'unknown-detail-type': JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: {} }),
      schema: JSON.stringify(badAccount),
      'too-large': oversized(),
    };
    const good = [
      guardDutyEventBridgeFinding({ resource: { kind: 'instance', instanceId: 'i-0900d000000000001' } }),
      nativeFinding({ resource: { kind: 'instance', instanceId: 'i-0900d000000000002' } }),
      securityHubImportedEvent({ resource: { kind: 'instance', instanceId: 'i-0900d000000000003' } }),
    ].map((finding) => JSON.stringify(finding));
    const bodies = [
      good[0],
      ...Object.values(poison).slice(0, 3),
      good[1],
      ...Object.values(poison).slice(3),
      good[2],
    ];
    // Act
    await fixture.sendFindings(bodies as string[]);
    const dead = await receiveMessages(fixture.clients.sqs, fixture.system.queues.findings.dlqUrl, 5, 30_000);
    const opened = await fixture.coordinatorMessages(3);
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
    );
    // Assess
    expect(opened.map((message) => message.type)).toEqual([
      'incident.opened',
      'incident.opened',
      'incident.opened',
    ]);
    const reasons = Object.fromEntries(
      dead.map((message) => [message.MessageAttributes?.[DlqAttribute.reason]?.StringValue, message.Body]),
    );
    expect(reasons).toEqual(Object.fromEntries(Object.entries(poison)));
    for (const message of dead) {
      expect(message.MessageAttributes?.[DlqAttribute.sourceQueue]?.StringValue).toBe('findings');
      expect(message.MessageAttributes?.[DlqAttribute.detail]?.StringValue).toBeTruthy();
    }
    const schemaDetail = dead.find((message) => message.Body === poison.schema)?.MessageAttributes?.[
      DlqAttribute.detail
    ];
    expect(schemaDetail?.StringValue).toContain('detail.accountId');
    expect(await fixture.findingsCounted([service], 'rejected')).toBe(5);
    expect(await fixture.findingsCounted([service], 'accepted')).toBe(3);
    expect(service.ready).toBe(true);
  });
});
