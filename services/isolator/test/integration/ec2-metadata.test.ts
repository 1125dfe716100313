import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** Options worth restoring: every field away from EC2's default except the endpoint. */
const ORIGINAL = {
  HttpEndpoint: 'enabled',
  HttpTokens: 'optional',
  HttpPutResponseHopLimit: 3,
  HttpProtocolIpv6: 'disabled',
  InstanceMetadataTags: 'enabled',
} as const;

/** The instance's metadata options and `ir:imds-*` tags, read back from the emulator. */
async function readMetadata(fixture: Fixture, instanceId: string) {
  const instance = (
    await fixture.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
  ).Reservations?.[0]?.Instances?.[0];
  const options = instance?.MetadataOptions;
  return {
    options: {
      HttpEndpoint: options?.HttpEndpoint,
      HttpTokens: options?.HttpTokens,
      HttpPutResponseHopLimit: options?.HttpPutResponseHopLimit,
      HttpProtocolIpv6: options?.HttpProtocolIpv6,
      InstanceMetadataTags: options?.InstanceMetadataTags,
    },
    tags: Object.fromEntries(
      (instance?.Tags ?? []).filter((t) => t.Key?.startsWith('ir:imds-')).map((t) => [t.Key, t.Value]),
    ),
  };
}

/**
 * moto 5.2.5 ignores `DryRun` on ModifyInstanceMetadataOptions (its response handler sets
 * `dry_run = False`) and applies the change. This answers a dry-run call as AWS does
 * (`DryRunOperation`) and passes every other call through to the emulator. Remove it when moto
 * honours `DryRun` there.
 */
function answerDryRunsAsAws() {
  const send = EC2Client.prototype.send;
  return vi.spyOn(EC2Client.prototype, 'send').mockImplementation(function (
    this: EC2Client,
    ...args: Parameters<EC2Client['send']>
  ) {
    const [command] = args;
    if (command instanceof ModifyInstanceMetadataOptionsCommand && command.input.DryRun) {
      return Promise.reject(
        new EC2ServiceException({
          name: 'DryRunOperation',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
          message: 'Request would have succeeded, but DryRun flag is set.',
        }),
      );
    }
    return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as EC2Client['send']);
}

describe('contain.ec2-metadata and rollback.ec2-metadata (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  async function instanceWithMetadata(options: Record<string, string | number> = ORIGINAL) {
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const { instanceId } = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds });
    await fixture.clients.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({ InstanceId: instanceId, ...options }),
    );
    return instanceId;
  }

  it('cuts the metadata service, converges when run twice, and the rollback puts back exactly the recorded options', async () => {
    // Prepare
    const instanceId = await instanceWithMetadata();
    expect((await readMetadata(fixture, instanceId)).options).toEqual(ORIGINAL);

    // Act
    const first = succeeded(await fixture.runStep('contain.ec2-metadata', { instanceId }));

    // Assess: IMDS off, tokens required, the other options untouched; the pre-state is the original
    const cut = await readMetadata(fixture, instanceId);
    expect(cut.options).toEqual({ ...ORIGINAL, HttpEndpoint: 'disabled', HttpTokens: 'required' });
    expect(cut.tags['ir:imds-cut-by']).toBe('inc-test-1');
    expect(first.preState).toEqual({
      instanceId,
      httpEndpoint: 'enabled',
      httpTokens: 'optional',
      httpPutResponseHopLimit: 3,
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'enabled',
    });
    expect(first.result.alreadyCut).toBe(false);

    // Act: the same command again (a lost answer, TRAPS 24)
    const second = succeeded(await fixture.runStep('contain.ec2-metadata', { instanceId }));

    // Assess: nothing changed, and the pre-state is still the one from before the first run
    expect(await readMetadata(fixture, instanceId)).toEqual(cut);
    expect(second.preState).toEqual(first.preState);
    expect(second.result.alreadyCut).toBe(true);

    // Act: roll back from the first step's pre-state, twice
    const rollback = { originalStepId: first.stepId, preState: first.preState ?? {} };
    succeeded(await fixture.runStep('rollback.ec2-metadata', rollback));
    const restored = await readMetadata(fixture, instanceId);
    succeeded(await fixture.runStep('rollback.ec2-metadata', rollback));

    // Assess
    expect(restored).toEqual({ options: ORIGINAL, tags: {} });
    expect(await readMetadata(fixture, instanceId)).toEqual(restored);
  });

  it('in dry-run changes nothing and says what it would change; a dry-run rollback changes nothing either', async () => {
    // Prepare
    const instanceId = await instanceWithMetadata();
    const before = await readMetadata(fixture, instanceId);
    const dryRuns = answerDryRunsAsAws();
    try {
      // Act
      const answer = succeeded(
        await fixture.runStep('contain.ec2-metadata', { instanceId }, { dryRun: true }),
      );

      // Assess
      expect(await readMetadata(fixture, instanceId)).toEqual(before);
      expect(answer.result.dryRun).toBe(true);
      expect((answer.result.wouldChange as string[]).join('\n')).toContain('HttpEndpoint=disabled');
      expect(answer.preState).toMatchObject({ instanceId, httpEndpoint: 'enabled' });

      // Prepare: a real containment to roll back
      const contained = succeeded(await fixture.runStep('contain.ec2-metadata', { instanceId }));
      const cut = await readMetadata(fixture, instanceId);

      // Act
      const dry = succeeded(
        await fixture.runStep(
          'rollback.ec2-metadata',
          { originalStepId: contained.stepId, preState: contained.preState ?? {} },
          { dryRun: true },
        ),
      );

      // Assess
      expect(await readMetadata(fixture, instanceId)).toEqual(cut);
      expect((dry.result.wouldChange as string[]).length).toBe(2);
    } finally {
      dryRuns.mockRestore();
    }
  });

  it('records an already disabled metadata service as it is, so the rollback leaves it disabled', async () => {
    // Prepare: the owner turned IMDS off before any incident
    const owned = { ...ORIGINAL, HttpEndpoint: 'disabled', HttpTokens: 'required' } as const;
    const instanceId = await instanceWithMetadata(owned);

    // Act
    const contained = succeeded(await fixture.runStep('contain.ec2-metadata', { instanceId }));
    succeeded(
      await fixture.runStep('rollback.ec2-metadata', {
        originalStepId: contained.stepId,
        preState: contained.preState ?? {},
      }),
    );

    // Assess
    expect(contained.result.alreadyCut).toBe(true);
    expect(await readMetadata(fixture, instanceId)).toEqual({ options: owned, tags: {} });
  });

  it('refuses a missing instance, one cut under another incident, and a malformed pre-state, with step.failed', async () => {
    // Prepare
    const instanceId = await instanceWithMetadata();
    succeeded(await fixture.runStep('contain.ec2-metadata', { instanceId }, { incidentId: 'inc-a' }));

    // Act
    const missing = await fixture.runStep('contain.ec2-metadata', { instanceId: 'i-0123456789abcdef0' });
    const other = await fixture.runStep('contain.ec2-metadata', { instanceId }, { incidentId: 'inc-b' });
    const bad = await fixture.runStep('rollback.ec2-metadata', {
      originalStepId: 's',
      preState: { instanceId },
    });

    // Assess
    expect(missing.type).toBe('step.failed');
    expect(missing.payload).toMatchObject({ errorName: 'ResourceNotFoundError' });
    expect(other.payload).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(JSON.stringify(other.payload)).toContain('inc-a');
    expect(bad.payload).toMatchObject({ errorName: 'InvalidPreStateError' });
    expect((await readMetadata(fixture, instanceId)).tags['ir:imds-cut-by']).toBe('inc-a');
  });
});
