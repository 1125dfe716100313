import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { guardDutyEventBridgeFinding } from '@ir/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRY_RUN_ATTRIBUTE } from '../../src/parse-findings-message.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

let fixture: DetectionFixture;
beforeEach(async () => {
  fixture = await detectionFixture();
});
afterEach(async () => {
  await fixture.stop();
});

describe('detection service, dry-run submissions (message attribute ir-dry-run)', () => {
  it('opens a dry-run incident, and never coalesces it with a live one about the same resource', async () => {
    // Prepare: the same finding, once asked as a dry run (irctl submit --dry-run), once live.
    await fixture.start();
    const finding = JSON.stringify(
      guardDutyEventBridgeFinding({ resource: { kind: 'instance', instanceId: 'i-0d7y0000000000001' } }),
    );
    // Act
    await fixture.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.system.queues.findings.url,
        MessageBody: finding,
        MessageAttributes: { [DRY_RUN_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' } },
      }),
    );
    const [dry] = await fixture.coordinatorMessages(1);
    await fixture.sendFindings([finding]);
    const [live] = await fixture.coordinatorMessages(1);
    // Assess
    expect(dry).toMatchObject({ type: 'incident.opened', dryRun: true });
    expect(live).toMatchObject({ type: 'incident.opened', dryRun: false });
    expect(live?.incidentId).not.toBe(dry?.incidentId);
    const keys = (await fixture.tableItems()).map((item) => String((item as { pk?: unknown }).pk));
    expect(keys.filter((key) => key.startsWith('DRYRUN#RESOURCE#'))).toHaveLength(1);
    expect(keys.filter((key) => key.startsWith('RESOURCE#'))).toHaveLength(1);
  });
});
