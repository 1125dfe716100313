import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentVersions } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

describe('forensics service with IR_SSM_INVENTORY=unavailable (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let instanceId: string;
  beforeAll(async () => {
    // No managed-instance seam: the service chooses its look-up from the configuration, as in pnpm dev.
    fixture = await forensicsFixture({
      env: { IR_SSM_INVENTORY: 'unavailable' },
      managedInstance: undefined,
    });
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    instanceId = (await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds })).instanceId;
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('skips volatile collection with a reason naming the setting, and stores nothing', async () => {
    // Prepare
    const stepId = 'volatile-inventory-off';
    // Act
    const result = await fixture.run('evidence.collect-volatile', { instanceId }, { stepId });
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect(result.payload).toMatchObject({
      result: { skipped: true, reason: expect.stringContaining('IR_SSM_INVENTORY=unavailable') },
    });
    const stored = (
      await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId)
    ).filter((version) => version.key.includes(`/${stepId}/`));
    expect(stored).toEqual([]);
  });
});
