import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';
import { cloudTrailClient, createTrail, isLogging, trailTags } from '@ir/testkit';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

describe('contain.cloudtrail-logging and rollback.cloudtrail-logging (on the emulator)', () => {
  let fixture: Fixture;
  let cloudtrail: CloudTrailClient;
  beforeAll(async () => {
    fixture = await isolatorFixture();
    cloudtrail = cloudTrailClient({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
  });
  afterAll(async () => {
    cloudtrail.destroy();
    await fixture.stop();
  });

  it('starts the named trail and records who stopped it; a rerun finds its own work; rollback stops only that trail', async () => {
    // Prepare
    const stopped = await createTrail(
      { s3: fixture.clients.s3, cloudtrail },
      { name: 'ir-test-stopped', logging: false },
    );
    const stoppedBy = { userName: 'ops-automation', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', api: 'StopLogging' };

    // Act
    const first = succeeded(
      await fixture.runStep(
        'contain.cloudtrail-logging',
        { trail: stopped, stoppedBy },
        { incidentId: 'inc-ct-1' },
      ),
    );
    const loggingAfterContain = await isLogging(cloudtrail, stopped);
    const rerun = succeeded(
      await fixture.runStep('contain.cloudtrail-logging', { trail: stopped }, { incidentId: 'inc-ct-1' }),
    );
    const rollback = succeeded(
      await fixture.runStep(
        'rollback.cloudtrail-logging',
        { originalStepId: first.stepId, preState: first.preState ?? {} },
        { incidentId: 'inc-ct-1' },
      ),
    );

    // Assess
    expect(loggingAfterContain).toBe(true);
    expect(first.result.stoppedBy).toEqual(stoppedBy);
    expect(first.result.trails).toEqual([stopped]);
    expect(rerun.preState).toEqual(first.preState);
    expect(rerun.result.changes).toEqual([]);
    expect(rollback.result.trails).toEqual([stopped]);
    expect(await isLogging(cloudtrail, stopped)).toBe(false);
    expect(await trailTags(cloudtrail, stopped)).toEqual({});
  });

  it('without a trail name starts every stopped trail of the region, and rollback leaves the ones that were logging', async () => {
    // Prepare
    const logging = await createTrail(
      { s3: fixture.clients.s3, cloudtrail },
      { name: 'ir-test-logging', logging: true },
    );
    const stoppedA = await createTrail(
      { s3: fixture.clients.s3, cloudtrail },
      { name: 'ir-test-stopped-a', logging: false },
    );

    // Act
    const dry = succeeded(
      await fixture.runStep('contain.cloudtrail-logging', {}, { incidentId: 'inc-ct-2', dryRun: true }),
    );
    const afterDry = await isLogging(cloudtrail, stoppedA);
    const contained = succeeded(
      await fixture.runStep('contain.cloudtrail-logging', {}, { incidentId: 'inc-ct-2' }),
    );
    const started = contained.result.trails as string[];
    const startedLogging = await Promise.all(started.map((arn) => isLogging(cloudtrail, arn)));
    succeeded(
      await fixture.runStep(
        'rollback.cloudtrail-logging',
        { originalStepId: contained.stepId, preState: contained.preState ?? {} },
        { incidentId: 'inc-ct-2' },
      ),
    );

    // Assess
    expect(afterDry).toBe(false);
    expect(await trailTags(cloudtrail, stoppedA)).toEqual({});
    expect(dry.result.wouldChange).toContain(`start logging on trail ${stoppedA}`);
    expect(started).toContain(stoppedA);
    expect(started).not.toContain(logging);
    expect(contained.result.alreadyLogging).toContain(logging);
    expect(startedLogging.every(Boolean)).toBe(true);
    expect(await isLogging(cloudtrail, stoppedA)).toBe(false);
    expect(await isLogging(cloudtrail, logging)).toBe(true);
  });

  it('answers step.failed naming the trail when it does not exist', async () => {
    // Act
    const answer = await fixture.runStep('contain.cloudtrail-logging', { trail: 'no-such-trail' });

    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.type === 'step.failed' && answer.payload.reason).toMatch(/no-such-trail does not exist/);
  });
});
