import { DescribeSnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage } from '@ir/contracts';
import { createInstance, createVpc, eventually, queueDepth, randomAccountId } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidence } from '@ir/evidence';
import { incidentVersions, readJson } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

interface CompletionArtifact {
  outcome: string;
  looks: number;
  unfinished: string[];
  volumes: Array<{
    snapshotId: string;
    state: string;
    completedObservedAt: string | null;
    copy: { snapshotId: string; state: string } | null;
    share: { snapshotId?: string; verified?: boolean } | null;
    forensicsCopy: { status?: string } | null;
  }>;
}

/**
 * The snapshot watch on the emulator. moto completes snapshots (and copies) the moment they are made,
 * and its CopySnapshot looks only in the caller's own account, so a shared snapshot can never be
 * copied into another account here: that is what drives the watch through several looks to a
 * recorded failure. The successful copy into the forensics account and the pending → completed path
 * are unit tests on recorded responses (test/unit/evidence-snapshots.test.ts).
 */
describe('forensics service: the evidence snapshot watch (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let instance: Awaited<ReturnType<typeof createInstance>>;
  const forensicsAccountId = randomAccountId();
  beforeAll(async () => {
    fixture = await forensicsFixture({
      env: {
        IR_FORENSICS_KMS_KEY: 'arn:aws:kms:us-east-1:000000000000:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
        IR_FORENSICS_ACCOUNT_ID: forensicsAccountId,
        IR_FORENSICS_SNAPSHOT_COPY: 'copy',
        IR_ALLOWED_ACCOUNTS: forensicsAccountId,
        IR_MEMBER_ROLE_NAME: 'ir-response',
        IR_SNAPSHOT_POLL_SECONDS: '1',
      },
    });
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    instance = await createInstance({
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      volumes: [{ sizeGiB: 2 }],
    });
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('follows the snapshots after the step, records what it observed and seals it into the chain', async () => {
    // Prepare
    const stepId = 'snapshot-volumes:i-suspect';
    // A fanned-out step id: its ':' becomes '-' in keys, and the watch must still find its own manifest.
    const completionKey = `incidents/${fixture.incidentId}/snapshot-volumes-i-suspect/snapshot-completion.json`;
    // Act
    const result = await fixture.run(
      'evidence.snapshot-volumes',
      { instanceId: instance.instanceId },
      { stepId },
    );
    // Assess: the step answered at once, with the copy into the forensics account still to do.
    if (result.type !== 'step.succeeded') throw new Error(`step failed: ${JSON.stringify(result.payload)}`);
    const stepResult = result.payload.result as { settled: boolean; watch: { pending: string[] } };
    expect(stepResult.settled).toBe(false);
    expect(stepResult.watch.pending.join(' ')).toContain('forensics-account copy');
    // Assess: the follow-ups ran on the service's own queue and recorded the end of the watch.
    let completion: CompletionArtifact | undefined;
    await eventually(
      async () => {
        completion = await readJson<CompletionArtifact>(
          fixture.clients.s3,
          fixture.system.bucketName,
          completionKey,
        ).catch(() => undefined);
        return completion !== undefined;
      },
      60_000,
      'snapshot-completion.json',
    );
    if (!completion) throw new Error('unreachable: eventually returned without the artifact');
    expect(completion.outcome).toBe('settled');
    expect(completion.looks).toBeGreaterThanOrEqual(2);
    expect(completion.volumes).toHaveLength(instance.volumeIds.length);
    for (const volume of completion.volumes) {
      expect(volume.state).toBe('completed');
      expect(volume.completedObservedAt).not.toBeNull();
      expect(volume.copy?.state).toBe('completed');
      expect(volume.share?.verified).toBe(true);
      expect(volume.forensicsCopy?.status).toMatch(/^failed: account \d{12} could not copy snap-/);
      // The share the artifact claims, read back from the emulator.
      const permissions = await fixture.clients.ec2.send(
        new DescribeSnapshotAttributeCommand({
          SnapshotId: volume.copy?.snapshotId,
          Attribute: 'createVolumePermission',
        }),
      );
      expect(permissions.CreateVolumePermissions?.map((p) => p.UserId)).toContain(forensicsAccountId);
    }
    // Assess: a manifest named by the watch lists the completion record, and the chain verifies.
    let report: Awaited<ReturnType<typeof verifyEvidence>> | undefined;
    await eventually(
      async () => {
        report = await verifyEvidence({
          s3: fixture.clients.s3,
          bucket: fixture.system.bucketName,
          incidentId: fixture.incidentId,
          signing: fixture.signing,
        });
        return report.manifests.some((m) => m.key.includes('snapshot-volumes-i-suspect.snapshots-settled'));
      },
      30_000,
      'the watch manifest',
    );
    expect(report?.ok).toBe(true);
    expect(report?.artifacts.map((a) => a.key)).toContain(completionKey);
  });

  it('a redelivered follow-up of a finished watch writes no second record and no second manifest', async () => {
    // Prepare: the first test's watch has ended; the same follow-up arrives again (as SQS may).
    const stepId = 'snapshot-volumes:i-suspect';
    const prefix = `incidents/${fixture.incidentId}/`;
    const before = await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId);
    const followup = buildMessage('evidence.snapshot-followup', {
      incidentId: fixture.incidentId,
      correlationId: fixture.incidentId,
      causationId: null,
      producer: 'test',
      dryRun: false,
      payload: {
        stepId,
        target: { accountId: fixture.account.accountId, region: fixture.region },
        instanceId: instance.instanceId,
        attempt: 2,
        watchStartedAt: new Date(Date.now() - 60_000).toISOString(),
        watchUntil: new Date(Date.now() + 3_600_000).toISOString(),
        completedObservedAt: {},
        copyMisses: {},
      },
    });
    // Act
    await fixture.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.system.queues.forensics.url,
        MessageBody: JSON.stringify(followup),
      }),
    );
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.forensics.url)) === 0,
      30_000,
      'the forensics queue to drain',
    );
    // Assess: every object version under the incident is the same as before.
    const after = await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId);
    expect(after.filter((v) => v.key.startsWith(prefix)).sort(byKey)).toEqual(before.sort(byKey));
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.forensics.dlqUrl)).toBe(0);
  });
});

const byKey = (a: { key: string; versionId: string }, b: { key: string; versionId: string }) =>
  `${a.key}/${a.versionId}`.localeCompare(`${b.key}/${b.versionId}`);
