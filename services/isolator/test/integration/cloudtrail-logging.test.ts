import { type CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, operatorCommands, optionOf, succeeded } from './harness.js';
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

  it('starts the named trail and records who stopped it; a rerun finds its own work through its ir-record: tag', async () => {
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

    // Assess
    expect(loggingAfterContain).toBe(true);
    expect(first.result.stoppedBy).toEqual(stoppedBy);
    expect(first.result.trails).toEqual([stopped]);
    expect(rerun.preState).toEqual(first.preState);
    expect(rerun.result.changes).toEqual([]);
    expect(await trailTags(cloudtrail, stopped)).toEqual({ 'ir-record:logging-started-by': 'inc-ct-1' });
  });

  it('rollback stops no trail: it fails with the command an operator runs, and once the operator has, verifies and removes its record', async () => {
    // Prepare
    const trail = await createTrail(
      { s3: fixture.clients.s3, cloudtrail },
      { name: 'ir-test-rollback', logging: false },
    );
    const contain = succeeded(
      await fixture.runStep('contain.cloudtrail-logging', { trail }, { incidentId: 'inc-ct-3' }),
    );
    const rollback = (dryRun = false) =>
      fixture.runStep(
        'rollback.cloudtrail-logging',
        { originalStepId: contain.stepId, preState: contain.preState ?? {} },
        { incidentId: 'inc-ct-3', dryRun },
      );

    // Act: the operator has not acted yet.
    const refused = failed(await rollback());
    const loggingAfterRefusal = await isLogging(cloudtrail, trail);
    const tagsAfterRefusal = await trailTags(cloudtrail, trail);
    const [command] = operatorCommands(refused);
    // The operator runs the command, as the emulator's administrator (the SDK call it stands for).
    await cloudtrail.send(new StopLoggingCommand({ Name: optionOf(command ?? '', 'name') }));
    const dry = succeeded(await rollback(true));
    const tagsAfterDryRun = await trailTags(cloudtrail, trail);
    const verified = succeeded(await rollback());

    // Assess
    expect(refused).toMatchObject({ errorName: 'OperatorActionRequiredError', retryable: false });
    expect(refused.detail).toMatchObject({ trails: [trail] });
    expect(command).toBe(`aws cloudtrail stop-logging --region ${fixture.region} --name ${trail}`);
    expect(refused.reason).toContain(command);
    expect(refused.reason).toContain('irctl rollback inc-ct-3');
    expect(loggingAfterRefusal).toBe(true);
    expect(tagsAfterRefusal).toEqual({ 'ir-record:logging-started-by': 'inc-ct-3' });
    expect(dry.result.wouldChange).toEqual([`remove record tag ir-record:logging-started-by from ${trail}`]);
    expect(tagsAfterDryRun).toEqual(tagsAfterRefusal);
    expect(verified.result.trails).toEqual([trail]);
    expect(verified.verified).toEqual({ notLogging: [trail] });
    expect(await isLogging(cloudtrail, trail)).toBe(false);
    expect(await trailTags(cloudtrail, trail)).toEqual({});
  });

  it('without a trail name starts every stopped trail of the region, and rollback asks to stop only those', async () => {
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
    const refused = failed(
      await fixture.runStep(
        'rollback.cloudtrail-logging',
        { originalStepId: contained.stepId, preState: contained.preState ?? {} },
        { incidentId: 'inc-ct-2' },
      ),
    );

    // Assess
    expect(afterDry).toBe(false);
    expect(await trailTags(cloudtrail, stoppedA)).toEqual({ 'ir-record:logging-started-by': 'inc-ct-2' });
    expect(dry.result.wouldChange).toContain(`start logging on trail ${stoppedA}`);
    expect(started).toContain(stoppedA);
    expect(started).not.toContain(logging);
    expect(contained.result.alreadyLogging).toContain(logging);
    expect(startedLogging.every(Boolean)).toBe(true);
    expect(operatorCommands(refused)).toEqual(
      started.map((arn) => `aws cloudtrail stop-logging --region ${fixture.region} --name ${arn}`),
    );
    expect(await isLogging(cloudtrail, stoppedA)).toBe(true);
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
