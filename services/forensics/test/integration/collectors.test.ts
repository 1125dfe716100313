import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { createBucket, createIamUser, createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedInstanceFrom } from '../../src/volatile/managed-instance.js';
import { incidentVersions, readJson } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';
import { ownedCommandsOn } from './owned-commands.js';

describe('forensics service: volatile, IAM and S3 collectors, idempotency and dry-run (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let instanceId: string;
  beforeAll(async () => {
    // moto lacks SSM DescribeInstanceInformation: one instance id is reported unmanaged, the rest Online.
    fixture = await forensicsFixture({
      managedInstance: async (_ssm, id) =>
        managedInstanceFrom(
          id,
          id === unmanaged ? undefined : { PingStatus: 'Online', PlatformType: 'Linux' },
        ),
    });
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    instanceId = (
      await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds, volumes: [{ sizeGiB: 1 }] })
    ).instanceId;
    unmanaged = (await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds })).instanceId;
  });
  let unmanaged = '';
  afterAll(async () => {
    await fixture?.service.stop();
  });

  const keysOf = async (stepId: string) =>
    (await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId)).filter((v) =>
      v.key.includes(`/${stepId}/`),
    );

  it('collects volatile data over SSM into one artifact per command plus a summary', async () => {
    // Prepare
    const stepId = 'volatile';
    // Act
    const result = await fixture.run('evidence.collect-volatile', { instanceId }, { stepId });
    // Assess
    expect(result.type).toBe('step.succeeded');
    const keys = (await keysOf(stepId)).map((v) => v.key.split(`/${stepId}/`)[1]).sort();
    expect(keys).toEqual([
      'volatile.json',
      'volatile/logged-in-users.txt',
      'volatile/network-configuration.txt',
      'volatile/network-connections.txt',
      'volatile/processes.txt',
      'volatile/system-journal.txt',
    ]);
    const summary = await readJson<{ collected: string[]; memory: { performed: boolean; reason: string } }>(
      fixture.clients.s3,
      fixture.system.bucketName,
      `incidents/${fixture.incidentId}/${stepId}/volatile.json`,
    );
    expect(summary.collected).toHaveLength(5);
    expect(summary.memory).toMatchObject({
      performed: false,
      reason: expect.stringContaining('no AVML or LiME'),
    });
  });

  it('sent every volatile command with the owned documents, never AWS-RunShellScript', async () => {
    // Prepare: the step above ran on instanceId (five collections and the memory tool probe).
    // Act
    const commands = await ownedCommandsOn(fixture.clients.ssm, instanceId, fixture.system.ssmDocuments);
    // Assess
    const sent = commands.map((c) => [
      c.DocumentName,
      c.Parameters?.collection?.[0] ?? c.Parameters?.action?.[0],
    ]);
    expect(sent.sort()).toEqual(
      [
        ['ir-CaptureMemory', 'probe'],
        ['ir-CollectVolatile', 'logged-in-users'],
        ['ir-CollectVolatile', 'network-configuration'],
        ['ir-CollectVolatile', 'network-connections'],
        ['ir-CollectVolatile', 'processes'],
        ['ir-CollectVolatile', 'system-journal'],
      ].sort(),
    );
  });

  it('skips an instance SSM does not manage, with the reason, and stores nothing', async () => {
    // Prepare
    const stepId = 'volatile-unmanaged';
    // Act
    const result = await fixture.run('evidence.collect-volatile', { instanceId: unmanaged }, { stepId });
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect(result.payload).toMatchObject({
      result: { skipped: true, reason: expect.stringContaining('not managed by SSM') },
    });
    expect(await keysOf(stepId)).toEqual([]);
  });

  it('collects a user with keys, MFA and console password, and degrades CloudTrail to "not available"', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 2, loginProfile: true });
    // Act
    const result = await fixture.run('evidence.collect-iam', { userName: user.userName }, { stepId: 'iam' });
    // Assess
    expect(result.type).toBe('step.succeeded');
    const document = await readJson<{
      user: {
        accessKeys: Array<{ AccessKeyId: string; lastUsed: unknown }>;
        consolePassword: { exists: boolean };
      };
      cloudTrail: { available: boolean; reason: string };
    }>(fixture.clients.s3, fixture.system.bucketName, `incidents/${fixture.incidentId}/iam/iam.json`);
    expect(document.user.accessKeys.map((k) => k.AccessKeyId).sort()).toEqual([...user.accessKeyIds].sort());
    expect(document.user.consolePassword.exists).toBe(true);
    expect(document.cloudTrail.available).toBe(false);
    expect(document.cloudTrail.reason).toMatch(/^CloudTrail not available/);
  });

  it('collects a bucket policy and its absent configurations as null', async () => {
    // Prepare
    const bucket = await createBucket({
      s3: fixture.clients.s3,
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::x/*' },
        ],
      },
    });
    // Act
    const result = await fixture.run(
      'evidence.collect-s3',
      { bucketName: bucket.bucketName },
      { stepId: 's3' },
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    const document = await readJson<{
      policy: { Statement: unknown[] };
      publicAccessBlock: unknown;
      acl: unknown;
    }>(fixture.clients.s3, fixture.system.bucketName, `incidents/${fixture.incidentId}/s3/s3-bucket.json`);
    expect(document.policy.Statement).toHaveLength(1);
    expect(document.publicAccessBlock).toBeNull();
    expect(document.acl).not.toBeNull();
  });

  it('leaves one set of evidence when each action runs twice', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam });
    const bucket = await createBucket({ s3: fixture.clients.s3 });
    const steps = [
      ['evidence.snapshot-volumes', { instanceId }, 'twice-snap'],
      ['evidence.capture-instance', { instanceId }, 'twice-capture'],
      ['evidence.collect-volatile', { instanceId }, 'twice-volatile'],
      ['evidence.collect-iam', { userName: user.userName }, 'twice-iam'],
      ['evidence.collect-s3', { bucketName: bucket.bucketName }, 'twice-s3'],
      ['evidence.seal', {}, 'twice-seal'],
    ] as const;
    // Act
    for (const round of [1, 2]) {
      for (const [type, params, stepId] of steps) {
        const result = await fixture.run(type, params as never, { stepId });
        expect(result.type, `${type} round ${round}`).toBe('step.succeeded');
      }
    }
    // Assess
    const versions = await incidentVersions(
      fixture.clients.s3,
      fixture.system.bucketName,
      fixture.incidentId,
    );
    const twice = versions.filter((v) => v.key.includes('/twice-'));
    expect(new Set(twice.map((v) => v.key)).size).toBe(twice.length);
    const manifests = versions.filter(
      (v) => v.key.includes('/manifests/') && v.key.endsWith('twice-seal.json'),
    );
    expect(manifests).toHaveLength(1);
    const { Snapshots: snapshots = [] } = await fixture.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:ir:step-id', Values: ['twice-snap'] }],
      }),
    );
    expect(snapshots).toHaveLength(2);
  });

  it('changes nothing in AWS on a dry run and reports what it would do', async () => {
    // Prepare
    const incidentId = 'dry-run-incident';
    // Act
    const snapshot = await fixture.run(
      'evidence.snapshot-volumes',
      { instanceId },
      { dryRun: true, incidentId },
    );
    const capture = await fixture.run(
      'evidence.capture-instance',
      { instanceId },
      { dryRun: true, incidentId },
    );
    const volatile = await fixture.run(
      'evidence.collect-volatile',
      { instanceId },
      { dryRun: true, incidentId },
    );
    // Assess
    for (const result of [snapshot, capture, volatile]) expect(result.type).toBe('step.succeeded');
    expect(snapshot.payload).toMatchObject({ result: { dryRun: true, wouldSnapshot: expect.any(Array) } });
    expect(await incidentVersions(fixture.clients.s3, fixture.system.bucketName, incidentId)).toEqual([]);
    const { Snapshots: snapshots = [] } = await fixture.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:ir:incident-id', Values: [incidentId] }],
      }),
    );
    expect(snapshots).toEqual([]);
  });
});
