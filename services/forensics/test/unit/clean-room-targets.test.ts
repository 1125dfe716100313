import type { EC2Client, Instance, Snapshot, Volume } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { assertAnalysisInstance, assertRunning } from '../../src/clean-room/analysis-instance.js';
import { cleanRoomPlace } from '../../src/clean-room/place.js';
import { chooseSnapshots, kindsFor } from '../../src/clean-room/snapshot-selection.js';
import { ssmRegistration } from '../../src/clean-room/ssm-registration.js';
import { cleanRoomTags } from '../../src/clean-room/tags.js';
import { assertVolumeForEach, attachVolumes } from '../../src/clean-room/volumes.js';
import { type ForensicsConfig, loadConfig } from '../../src/config.js';
import { managedInstanceFrom } from '../../src/volatile/managed-instance.js';

const SUSPECT = 'i-0aaaaaaaaaaaaaaa1';
const snapshot = (
  id: string,
  kind: string,
  volumeId: string,
  start: string,
  extra: Record<string, string> = {},
): Snapshot => ({
  SnapshotId: id,
  State: 'completed',
  StartTime: new Date(start),
  Tags: Object.entries({
    'ir:kind': kind,
    'ir:volume-id': volumeId,
    'ir:device': volumeId === 'vol-1' ? '/dev/xvda' : '/dev/sdf',
    'ir:source-instance': SUSPECT,
    ...extra,
  }).map(([Key, Value]) => ({ Key, Value })),
});

describe('chooseSnapshots', () => {
  it('takes the KMS copy over the source and the newest of a kind, one per volume, in device order', () => {
    // Prepare
    const snapshots = [
      snapshot('snap-src-1', 'source', 'vol-1', '2026-11-20T01:00:00Z'),
      snapshot('snap-kms-1', 'kms-copy', 'vol-1', '2026-11-20T01:05:00Z'),
      snapshot('snap-src-2-old', 'source', 'vol-2', '2026-11-19T01:00:00Z'),
      snapshot('snap-src-2', 'source', 'vol-2', '2026-11-20T01:00:00Z'),
    ];
    // Act
    const chosen = chooseSnapshots(snapshots, SUSPECT, kindsFor(false));
    // Assess
    expect(chosen.map((s) => [s.snapshotId, s.volumeId, s.device])).toEqual([
      ['snap-src-2', 'vol-2', '/dev/sdf'],
      ['snap-kms-1', 'vol-1', '/dev/xvda'],
    ]);
  });

  it('uses only forensics copies in the forensics account and ignores other instances', () => {
    // Prepare
    const snapshots = [
      snapshot('snap-kms-1', 'kms-copy', 'vol-1', '2026-11-20T01:05:00Z'),
      snapshot('snap-copy-1', 'forensics-copy', 'vol-1', '2026-11-20T01:10:00Z'),
      snapshot('snap-other', 'forensics-copy', 'vol-9', '2026-11-20T01:10:00Z', {
        'ir:source-instance': 'i-0bbbbbbbbbbbbbbb2',
      }),
    ];
    // Act
    const chosen = chooseSnapshots(snapshots, SUSPECT, kindsFor(true));
    // Assess
    expect(chosen.map((s) => s.snapshotId)).toEqual(['snap-copy-1']);
  });
});

describe('cleanRoomPlace', () => {
  it('runs in the forensics account when one is configured, else (or for an incident there) in the target account', () => {
    // Prepare
    const target = { accountId: '111111111111', region: 'eu-west-1' };
    // Act
    const forensics = cleanRoomPlace({ IR_FORENSICS_ACCOUNT_ID: '222222222222' }, target);
    const member = cleanRoomPlace({ IR_FORENSICS_ACCOUNT_ID: undefined }, target);
    const itself = cleanRoomPlace({ IR_FORENSICS_ACCOUNT_ID: '111111111111' }, target);
    // Assess
    expect(forensics).toEqual({ accountId: '222222222222', region: 'eu-west-1', inForensicsAccount: true });
    expect(member).toEqual({ accountId: '111111111111', region: 'eu-west-1', inForensicsAccount: false });
    expect(itself).toEqual({ accountId: '111111111111', region: 'eu-west-1', inForensicsAccount: false });
  });
});

describe('assertAnalysisInstance', () => {
  const expected = {
    incidentId: 'inc-1',
    stepId: 'clean-room',
    suspectInstanceId: SUSPECT,
    subnetId: 'subnet-1',
    securityGroupId: 'sg-1',
  };
  const good: Instance = {
    InstanceId: 'i-0ccccccccccccccc3',
    SubnetId: 'subnet-1',
    MetadataOptions: { HttpTokens: 'required' },
    NetworkInterfaces: [{ Groups: [{ GroupId: 'sg-1' }] }],
    Tags: cleanRoomTags('inc-1', 'clean-room', SUSPECT),
  };

  it('accepts the instance launched for the step', () => {
    // Prepare
    const instance = good;
    // Act
    const check = () => assertAnalysisInstance(instance, expected);
    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    ['the suspect itself', { InstanceId: SUSPECT }, /it is the suspect instance/],
    ['an untagged instance', { Tags: [] }, /not tagged ir:purpose=clean-room/],
    [
      "another step's instance",
      { Tags: cleanRoomTags('inc-1', 'other', SUSPECT) },
      /not tagged with step clean-room/,
    ],
    ['a public address', { PublicIpAddress: '203.0.113.9' }, /public address/],
    ['IMDSv1 allowed', { MetadataOptions: { HttpTokens: 'optional' as const } }, /IMDSv2/],
    ['another subnet', { SubnetId: 'subnet-2' }, /not the forensics subnet/],
    ['another group', { NetworkInterfaces: [{ Groups: [{ GroupId: 'sg-default' }] }] }, /not only sg-1/],
  ])('refuses %s', (_name, change, reason) => {
    // Prepare
    const instance = { ...good, ...change };
    // Act
    const check = () => assertAnalysisInstance(instance, expected);
    // Assess
    expect(check).toThrow(reason);
  });
});

describe('assertRunning', () => {
  it('retries a pending instance and refuses a stopped one', () => {
    // Prepare
    const pending: Instance = { InstanceId: 'i-1', State: { Name: 'pending' } };
    const stopped: Instance = { InstanceId: 'i-1', State: { Name: 'stopped' } };
    // Act
    const errors = [pending, stopped].map((instance) => {
      try {
        assertRunning(instance);
        return undefined;
      } catch (error: unknown) {
        return error as { name: string; retryable: boolean };
      }
    });
    // Assess
    expect(errors.map((e) => [e?.name, e?.retryable])).toEqual([
      ['CleanRoomNotReadyError', true],
      ['StepRefusedError', false],
    ]);
  });
});

describe('attachVolumes', () => {
  it('refuses to attach evidence to the suspect instance before any EC2 call', async () => {
    // Prepare: a client that fails the test if the refusal came after a call.
    const ec2 = { send: () => Promise.reject(new Error('no EC2 call may be made')) } as unknown as EC2Client;
    const volumes: Volume[] = [
      { VolumeId: 'vol-x', State: 'available', Tags: cleanRoomTags('inc-1', 'clean-room', SUSPECT) },
    ];
    // Act
    const attach = attachVolumes(ec2, { InstanceId: SUSPECT }, volumes, SUSPECT);
    // Assess
    await expect(attach).rejects.toThrow(/refusing to attach evidence volumes to the suspect instance/);
  });

  it('refuses a volume attached to another instance', async () => {
    // Prepare
    const ec2 = { send: () => Promise.reject(new Error('no EC2 call may be made')) } as unknown as EC2Client;
    const volumes: Volume[] = [
      {
        VolumeId: 'vol-x',
        State: 'in-use',
        Tags: cleanRoomTags('inc-1', 'clean-room', SUSPECT),
        Attachments: [{ InstanceId: SUSPECT, Device: '/dev/sdf' }],
      },
    ];
    // Act
    const attach = attachVolumes(ec2, { InstanceId: 'i-0ccccccccccccccc3' }, volumes, SUSPECT);
    // Assess
    await expect(attach).rejects.toThrow(/is attached to i-0aaaaaaaaaaaaaaa1, not the analysis instance/);
  });
});

describe('loadConfig (clean room)', () => {
  const base = {
    IR_EVIDENCE_BUCKET: 'evidence-bucket',
    IR_EVIDENCE_SIGNING_KEY: 'alias/ir-evidence-signing',
    IR_HOME_ACCOUNT_ID: '111111111111',
  };

  it('refuses a subnet without a security group, naming both variables', () => {
    // Prepare
    const env = {
      ...base,
      IR_FORENSICS_AMI: 'ami-0123456789abcdef0',
      IR_FORENSICS_SUBNET: 'subnet-0123456789abcdef0',
    };
    // Act
    const load = () => loadConfig(env);
    // Assess
    expect(load).toThrow(/IR_FORENSICS_SUBNET needs IR_FORENSICS_SECURITY_GROUP/);
  });

  it('refuses an AMI without a subnet, and accepts a launch template alone', () => {
    // Prepare
    const amiOnly = { ...base, IR_FORENSICS_AMI: 'ami-0123456789abcdef0' };
    const template = { ...base, IR_FORENSICS_LAUNCH_TEMPLATE: 'lt-0123456789abcdef0' };
    // Act
    const loadAmiOnly = () => loadConfig(amiOnly);
    const loaded = loadConfig(template);
    // Assess
    expect(loadAmiOnly).toThrow(/IR_FORENSICS_AMI and IR_FORENSICS_SUBNET go together/);
    expect(loaded.IR_FORENSICS_LAUNCH_TEMPLATE).toBe('lt-0123456789abcdef0');
    expect(loaded.IR_CLEAN_ROOM_TIMELINE_DAYS).toBe(30);
  });
});

describe('ssmRegistration', () => {
  // DescribeInstanceInformation is a seam (moto lacks it): these are the lookup's recorded answers.
  const ssm = {} as never;
  const describe_ = (info: Parameters<typeof managedInstanceFrom>[1]) => async (_ssm: unknown, id: string) =>
    managedInstanceFrom(id, info);
  const config = (inventory: 'describe' | 'unavailable') =>
    ({ IR_SSM_INVENTORY: inventory }) as ForensicsConfig;

  it('waits while the agent has not registered, and goes on once it is Online', async () => {
    // Prepare
    const absent = { config: config('describe'), managedInstance: describe_(undefined) };
    const online = {
      config: config('describe'),
      managedInstance: describe_({ PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: '3.3.0' }),
    };
    // Act
    const waiting = ssmRegistration(absent, ssm, 'i-9');
    const registered = await ssmRegistration(online, ssm, 'i-9');
    // Assess
    await expect(waiting).rejects.toMatchObject({ name: 'CleanRoomNotReadyError', retryable: true });
    expect(registered).toMatchObject({ checked: true, managed: true, pingStatus: 'Online' });
  });

  it('skips the check, saying so, when the inventory is unavailable (emulators)', async () => {
    // Prepare
    const deps = { config: config('unavailable'), managedInstance: describe_(undefined) };
    // Act
    const registration = await ssmRegistration(deps, ssm, 'i-9');
    // Assess
    expect(registration).toEqual({
      checked: false,
      reason: expect.stringMatching(/IR_SSM_INVENTORY=unavailable/),
    });
  });
});

describe('assertVolumeForEach', () => {
  it('waits while a chosen snapshot has no visible volume (tags are eventually consistent)', () => {
    // Prepare
    const chosen = chooseSnapshots(
      [
        snapshot('snap-a', 'source', 'vol-1', '2026-11-20T01:00:00Z'),
        snapshot('snap-b', 'source', 'vol-2', '2026-11-20T01:00:00Z'),
      ],
      SUSPECT,
      kindsFor(false),
    );
    const one: Volume[] = [{ VolumeId: 'vol-new-a', Tags: [{ Key: 'ir:source-snapshot', Value: 'snap-a' }] }];
    const both: Volume[] = [
      ...one,
      { VolumeId: 'vol-new-b', Tags: [{ Key: 'ir:source-snapshot', Value: 'snap-b' }] },
    ];
    // Act
    const withOne = () => assertVolumeForEach(chosen, one);
    const withBoth = () => assertVolumeForEach(chosen, both);
    // Assess
    expect(withOne).toThrow(/waiting for the volume\(s\) from snap-b to be visible/);
    expect(withBoth).not.toThrow();
  });
});
