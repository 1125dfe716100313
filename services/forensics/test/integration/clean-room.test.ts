import {
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createLogger, type QueueService } from '@ir/runtime';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../src/service.js';
import { verifyEvidence } from '@ir/evidence';
import { hashVersion } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';
import { ownedCommandsOn } from './owned-commands.js';

const STEP = 'clean-room';
const tagsOf = (resource: { Tags?: { Key?: string; Value?: string }[] }) =>
  Object.fromEntries((resource.Tags ?? []).map((t) => [t.Key, t.Value]));

describe('forensics service: evidence.clean-room and evidence.clean-room-teardown (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let service: QueueService;
  let suspect: Awaited<ReturnType<typeof createInstance>>;
  let forensics: { subnetId: string; groupId: string; imageId: string };
  let ssm: SSMClient;

  /** The incident's clean-room resources, read back. */
  const cleanRoomInstances = async (states = ['pending', 'running']) => {
    const output = await fixture.clients.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:ir:incident-id', Values: [fixture.incidentId] },
          { Name: 'tag:ir:purpose', Values: ['clean-room'] },
          { Name: 'instance-state-name', Values: states },
        ],
      }),
    );
    return (output.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  };
  const cleanRoomVolumes = async () => {
    const output = await fixture.clients.ec2.send(
      new DescribeVolumesCommand({
        Filters: [
          { Name: 'tag:ir:incident-id', Values: [fixture.incidentId] },
          { Name: 'tag:ir:purpose', Values: ['clean-room'] },
          { Name: 'tag-key', Values: ['ir:source-snapshot'] },
        ],
      }),
    );
    return output.Volumes ?? [];
  };
  const evidenceSnapshots = async () =>
    (
      await fixture.clients.ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'tag:ir:incident-id', Values: [fixture.incidentId] }],
        }),
      )
    ).Snapshots ?? [];
  const commandsOn = async (instanceId: string) =>
    (await ssm.send(new ListCommandsCommand({ InstanceId: instanceId }))).Commands ?? [];

  beforeAll(async () => {
    // The harness's service has no clean room configured: stop it, build the forensics VPC, and run
    // the service again on the same account and queues with the clean-room variables set.
    fixture = await forensicsFixture();
    await fixture.service.stop();
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    suspect = await createInstance({
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      volumes: [{ sizeGiB: 2 }],
      tags: { Name: 'suspect' },
    });
    const lab = await createVpc({ ec2: fixture.clients.ec2 });
    const group = await fixture.clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'ir-clean-room',
        Description: 'no ingress',
        VpcId: lab.vpcId,
      }),
    );
    forensics = {
      subnetId: lab.subnetIds[0] as string,
      groupId: group.GroupId as string,
      imageId: (await fixture.clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[1]
        ?.ImageId as string,
    };
    service = await createService(
      {
        ...fixture.config,
        IR_FORENSICS_AMI: forensics.imageId,
        IR_FORENSICS_SUBNET: forensics.subnetId,
        IR_FORENSICS_SECURITY_GROUP: forensics.groupId,
        // moto lacks DescribeInstanceInformation: as in pnpm dev, the registration wait is skipped
        // (and recorded as not checked); SendCommand still runs against the analysis instance.
        IR_SSM_INVENTORY: 'unavailable',
      },
      {
        credentials: fixture.account.credentials,
        logger: createLogger({ service: 'forensics-clean-room-test', level: 'silent' }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
      },
    );
    await service.start();
    ssm = new SSMClient({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
    const snapshots = await fixture.run('evidence.snapshot-volumes', { instanceId: suspect.instanceId });
    expect(snapshots.type).toBe('step.succeeded');
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('creates a volume from each evidence snapshot and attaches them to a new analysis instance, not the suspect', async () => {
    // Prepare
    const snapshotIds = (await evidenceSnapshots()).map((s) => s.SnapshotId).sort();
    expect(snapshotIds).toHaveLength(2);
    // Act
    const result = await fixture.run(
      'evidence.clean-room',
      { instanceId: suspect.instanceId },
      { stepId: STEP },
    );
    // Assess
    expect(result.type, JSON.stringify(result.payload)).toBe('step.succeeded');
    expect(result.type === 'step.succeeded' && result.payload.result.ssm).toMatchObject({ checked: false });
    const [analysis, ...others] = await cleanRoomInstances();
    expect(others).toHaveLength(0);
    expect(analysis?.InstanceId).not.toBe(suspect.instanceId);
    expect(analysis?.ImageId).toBe(forensics.imageId);
    expect(analysis?.SubnetId).toBe(forensics.subnetId);
    expect(analysis?.NetworkInterfaces?.flatMap((n) => n.Groups ?? []).map((g) => g.GroupId)).toEqual([
      forensics.groupId,
    ]);
    expect(analysis?.PublicIpAddress).toBeUndefined();
    expect(analysis?.MetadataOptions?.HttpTokens).toBe('required');
    expect(tagsOf(analysis as Instance)).toMatchObject({
      'ir:purpose': 'clean-room',
      'ir:step-id': STEP,
      'ir:source-instance': suspect.instanceId,
    });
    const volumes = await cleanRoomVolumes();
    expect(volumes.map((v) => v.SnapshotId).sort()).toEqual(snapshotIds);
    for (const volume of volumes) {
      expect(volume.Attachments?.map((a) => a.InstanceId)).toEqual([analysis?.InstanceId]);
    }
    const suspectNow = await fixture.clients.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [suspect.instanceId] }),
    );
    const suspectVolumes = suspectNow.Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings?.map(
      (m) => m.Ebs?.VolumeId,
    );
    expect(suspectVolumes?.sort()).toEqual([...suspect.volumeIds].sort());
  });

  it('ran the investigation commands over SSM on the analysis instance', async () => {
    // Prepare
    const [analysis] = await cleanRoomInstances();
    const instanceId = analysis?.InstanceId as string;
    // Act
    const commands = await commandsOn(instanceId);
    // Assess
    expect(commands.map((c) => c.Comment?.split(' ').at(-1)).sort()).toEqual(
      ['logs', 'mount-volumes', 'persistence', 'system-binary-hashes', 'timeline'].sort(),
    );
    const owned = await ownedCommandsOn(ssm, instanceId, fixture.system.ssmDocuments);
    expect(new Set(owned.map((c) => c.DocumentName))).toEqual(new Set(['ir-CleanRoomAnalysis']));
    const mount = owned.find((c) => c.Parameters?.analysis?.[0] === 'mount-volumes');
    expect(mount?.Parameters?.volumes?.[0]).toMatch(
      /^vol-[0-9a-f]+=\/dev\/sd[f-p]( vol-[0-9a-f]+=\/dev\/sd[f-p])*$/,
    );
    for (const command of commands) {
      const invocation = await ssm.send(
        new GetCommandInvocationCommand({ CommandId: command.CommandId, InstanceId: instanceId }),
      );
      expect(invocation.Status).toBe('Success');
    }
  });

  it('stores every output and the summary hashed, locked and in a manifest', async () => {
    // Prepare
    const prefix = `incidents/${fixture.incidentId}/${STEP}/clean-room/`;
    // Act
    const listed = await fixture.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: fixture.system.bucketName, Prefix: prefix }),
    );
    const report = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    // Assess
    const keys = (listed.Versions ?? []).map((v) => v.Key ?? '').sort();
    expect(keys).toEqual(
      ['logs', 'mount-volumes', 'persistence', 'summary', 'system-binary-hashes', 'timeline']
        .map((name) => `${prefix}${name}.${name === 'summary' ? 'json' : 'txt'}`)
        .sort(),
    );
    for (const version of listed.Versions ?? []) {
      const key = version.Key as string;
      const head = await fixture.clients.s3.send(
        new HeadObjectCommand({ Bucket: fixture.system.bucketName, Key: key, VersionId: version.VersionId }),
      );
      const actual = await hashVersion(
        fixture.clients.s3,
        fixture.system.bucketName,
        key,
        version.VersionId as string,
      );
      expect(head.Metadata?.['ir-sha256']).toBe(actual);
      expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now());
    }
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const sealed = new Set(report.artifacts.map((a) => a.key));
    for (const key of keys) expect(sealed.has(key), key).toBe(true);
  });

  it('is idempotent: a rerun launches, creates and runs nothing more', async () => {
    // Prepare
    const [analysis] = await cleanRoomInstances();
    const before = (await commandsOn(analysis?.InstanceId as string)).length;
    // Act
    const result = await fixture.run(
      'evidence.clean-room',
      { instanceId: suspect.instanceId },
      { stepId: STEP },
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect((await cleanRoomInstances()).map((i) => i.InstanceId)).toEqual([analysis?.InstanceId]);
    expect(await cleanRoomVolumes()).toHaveLength(2);
    expect(await commandsOn(analysis?.InstanceId as string)).toHaveLength(before);
  });

  it('fails the step, launching nothing, for an instance without evidence snapshots', async () => {
    // Prepare
    const unsnapshotted = 'i-0123456789abcdef0';
    const before = (await cleanRoomInstances()).length;
    // Act
    const result = await fixture.run(
      'evidence.clean-room',
      { instanceId: unsnapshotted },
      { stepId: 'clean-room-2' },
    );
    // Assess
    expect(result.type).toBe('step.failed');
    expect(result.type === 'step.failed' && result.payload.reason).toMatch(
      /no evidence snapshot of i-0123456789abcdef0/,
    );
    expect(await cleanRoomInstances()).toHaveLength(before);
  });

  it('launches, creates and runs nothing on a dry run', async () => {
    // Prepare
    const instances = (await cleanRoomInstances()).map((i) => i.InstanceId);
    const [analysis] = await cleanRoomInstances();
    const commands = (await commandsOn(analysis?.InstanceId as string)).length;
    // Act
    const result = await fixture.run(
      'evidence.clean-room',
      { instanceId: suspect.instanceId },
      { stepId: 'clean-room-dry', dryRun: true },
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect(result.type === 'step.succeeded' && result.payload.result).toMatchObject({
      dryRun: true,
      existingInstance: null,
      // EC2's own dry run of the launch request (template, interface, tags) answered DryRunOperation.
      wouldLaunch: { launchAllowed: true },
    });
    expect((await cleanRoomInstances()).map((i) => i.InstanceId)).toEqual(instances);
    expect(await cleanRoomVolumes()).toHaveLength(2);
    expect(await commandsOn(analysis?.InstanceId as string)).toHaveLength(commands);
  });

  it('changes nothing on a dry-run teardown', async () => {
    // Prepare
    const instances = (await cleanRoomInstances()).map((i) => i.InstanceId);
    // Act
    const result = await fixture.run(
      'evidence.clean-room-teardown',
      { cleanRoomStepId: STEP },
      { dryRun: true },
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect((await cleanRoomInstances()).map((i) => i.InstanceId)).toEqual(instances);
    expect(await cleanRoomVolumes()).toHaveLength(2);
  });

  it('tears down the instance and volumes, leaving snapshots and every artifact; a rerun removes nothing', async () => {
    // Prepare
    const [analysis] = await cleanRoomInstances();
    const snapshotsBefore = (await evidenceSnapshots()).map((s) => s.SnapshotId).sort();
    const before = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    // Act
    const first = await fixture.run(
      'evidence.clean-room-teardown',
      { cleanRoomStepId: STEP },
      { stepId: 'teardown' },
    );
    const second = await fixture.run(
      'evidence.clean-room-teardown',
      { cleanRoomStepId: STEP },
      { stepId: 'teardown-again' },
    );
    // Assess
    expect(first.type, JSON.stringify(first.payload)).toBe('step.succeeded');
    expect(second.type).toBe('step.succeeded');
    expect(second.type === 'step.succeeded' && second.payload.result).toMatchObject({
      terminated: [],
      deletedVolumes: [],
    });
    const terminated = await cleanRoomInstances(['terminated', 'shutting-down']);
    expect(terminated.map((i) => i.InstanceId)).toEqual([analysis?.InstanceId]);
    expect(await cleanRoomVolumes()).toHaveLength(0);
    expect((await evidenceSnapshots()).map((s) => s.SnapshotId).sort()).toEqual(snapshotsBefore);
    const after = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    expect(after.ok).toBe(true);
    expect(after.artifacts.map((a) => a.key).sort()).toEqual(before.artifacts.map((a) => a.key).sort());
  });
});
