import type { EC2Client, Snapshot } from '@aws-sdk/client-ec2';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createForensicsMetrics } from '../../src/metrics.js';
import {
  isSettled,
  pendingWork,
  recordVolumes,
  type SnapshotScope,
  type VolumeRecord,
} from '../../src/snapshots/evidence-snapshots.js';
import { forensicsCopy, MAX_COPY_MISSES } from '../../src/snapshots/forensics-copy.js';
import { followupDelaySeconds, watchVerdict } from '../../src/snapshots/snapshot-watch.js';

/*
 * Why these run on recorded responses and not on the emulator: moto creates snapshots (and copies)
 * already `completed`, so the pending → completed path never happens there, and its CopySnapshot
 * looks only in the caller's own account, so a snapshot shared from another account can never be
 * copied. The EC2 client below answers with the shapes EC2 returns (DescribeSnapshots, CopySnapshot,
 * ModifySnapshotAttribute, DescribeSnapshotAttribute) and keeps the snapshots it "made", so what is
 * asserted is the decisions taken on those answers.
 */

const scope: SnapshotScope = {
  incidentId: 'inc-1',
  stepId: 'snapshot-volumes:i-0abc',
  instanceId: 'i-0abc',
  accountId: '111111111111',
  region: 'eu-west-1',
};
const KEY = 'arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9';
const FORENSICS = '222222222222';

const tags = (kind: string, extra: Record<string, string> = {}) =>
  Object.entries({ 'ir:incident-id': scope.incidentId, 'ir:kind': kind, ...extra }).map(([Key, Value]) => ({
    Key,
    Value,
  }));

/** A recorded EC2: snapshots by id, and what happened to them. */
function recordedEc2(snapshots: Snapshot[], options: { copyError?: string; idPrefix?: string } = {}) {
  const store = new Map(snapshots.map((s) => [s.SnapshotId as string, s]));
  const shared = new Map<string, string[]>();
  const calls: string[] = [];
  let next = 100;
  const ec2 = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push(name);
      const input = command.input as {
        Filters?: Array<{ Name: string; Values: string[] }>;
        TagSpecifications?: Array<{ Tags?: Snapshot['Tags'] }>;
        SnapshotId?: string;
        UserIds?: string[];
      };
      if (name === 'DescribeSnapshotsCommand') {
        const filters = input.Filters ?? [];
        return {
          Snapshots: [...store.values()].filter((s) =>
            filters.every((f) =>
              (s.Tags ?? []).some((t) => `tag:${t.Key}` === f.Name && f.Values.includes(t.Value ?? '')),
            ),
          ),
        };
      }
      if (name === 'CopySnapshotCommand') {
        if (options.copyError) throw Object.assign(new Error('not visible'), { name: options.copyError });
        const id = `snap-${options.idPrefix ?? 'copy'}${next++}`;
        const spec = input.TagSpecifications?.[0];
        store.set(id, { SnapshotId: id, State: 'pending', Tags: spec?.Tags ?? [] });
        return { SnapshotId: id };
      }
      if (name === 'ModifySnapshotAttributeCommand') {
        const snapshot = store.get(input.SnapshotId ?? '');
        if (snapshot?.State !== 'completed')
          throw Object.assign(new Error('snapshot is pending'), { name: 'IncorrectState' });
        shared.set(input.SnapshotId ?? '', input.UserIds ?? []);
        return {};
      }
      if (name === 'DescribeSnapshotAttributeCommand') {
        return {
          CreateVolumePermissions: (shared.get(input.SnapshotId ?? '') ?? []).map((UserId) => ({ UserId })),
        };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { ec2: ec2 as unknown as EC2Client, store, calls };
}

const source = (
  id: string,
  state: Snapshot['State'],
  volumeId = 'vol-1',
  device = '/dev/xvda',
): Snapshot => ({
  SnapshotId: id,
  VolumeId: volumeId,
  State: state,
  Progress: state === 'completed' ? '100%' : '41%',
  Tags: tags('source', { 'ir:volume-id': volumeId, 'ir:device': device }),
});

const metrics = () => createForensicsMetrics(new Registry());
const settings = { kmsKeyId: KEY, forensicsAccountId: FORENSICS, copyIntoForensicsAccount: true };
const at = (iso: string) => () => new Date(iso);
const empty = { completedObservedAt: {}, copyMisses: {} };

describe('recordVolumes (recorded EC2 responses)', () => {
  it('waits on a pending snapshot: no copy, no share, and says what is pending', async () => {
    // Prepare
    const { ec2, calls } = recordedEc2([source('snap-1', 'pending')]);
    // Act
    const { records } = await recordVolumes({
      ec2,
      forensicsEc2: async () => ec2,
      scope,
      snapshots: [source('snap-1', 'pending')],
      devices: new Map(),
      settings,
      metrics: metrics(),
      now: at('2026-11-22T10:00:00Z'),
      memory: empty,
    });
    // Assess
    expect(calls).not.toContain('CopySnapshotCommand');
    expect(records[0]?.completedObservedAt).toBeNull();
    expect(pendingWork(records[0] as VolumeRecord)).toEqual([
      'snapshot snap-1 is pending',
      'KMS copy of snap-1',
      'share of snap-1',
      'forensics-account copy of snap-1',
    ]);
    expect(isSettled(records)).toBe(false);
  });

  it('takes a volume through completion, KMS copy, share and forensics copy over successive looks', async () => {
    // Prepare: the member account and the forensics account, each a recorded EC2.
    const member = recordedEc2([source('snap-1', 'completed')]);
    const forensics = recordedEc2([], { idPrefix: 'forensics' });
    const look = async (now: string, memory = empty) =>
      recordVolumes({
        ec2: member.ec2,
        forensicsEc2: async () => forensics.ec2,
        scope,
        snapshots: [...member.store.values()],
        devices: new Map([['vol-1', '/dev/xvda']]),
        settings,
        metrics: metrics(),
        now: at(now),
        memory,
      });
    // Act 1: the snapshot completed; the copy starts and is pending, so it cannot be shared yet.
    const first = await look('2026-11-22T10:00:00Z');
    // Assess 1
    const copy = first.records[0]?.copy;
    expect(copy && 'state' in copy ? copy.state : null).toBe('pending');
    expect(first.records[0]?.completedObservedAt).toBe('2026-11-22T10:00:00.000Z');
    expect(first.records[0]?.share).toMatchObject({ status: expect.stringMatching(/^waiting:/) });
    // Act 2: the copy completed since; it is shared (read back) and copied into the forensics account.
    const copyId = copy && 'snapshotId' in copy ? copy.snapshotId : '';
    member.store.set(copyId, { ...(member.store.get(copyId) as Snapshot), State: 'completed' });
    const second = await look('2026-11-22T10:05:00Z', first.memory);
    // Assess 2
    expect(second.records[0]?.completedObservedAt).toBe('2026-11-22T10:00:00.000Z');
    expect(second.records[0]?.share).toEqual({ accountId: FORENSICS, snapshotId: copyId, verified: true });
    const copied = second.records[0]?.forensicsCopy;
    expect(copied).toMatchObject({ accountId: FORENSICS, state: 'pending', sourceSnapshotId: copyId });
    expect(isSettled(second.records)).toBe(false);
    // Act 3: the forensics copy completed; a third look finds it by its tags and copies nothing again.
    const forensicsId = copied && 'snapshotId' in copied ? copied.snapshotId : '';
    forensics.store.set(forensicsId, {
      ...(forensics.store.get(forensicsId) as Snapshot),
      State: 'completed',
    });
    const third = await look('2026-11-22T10:20:00Z', second.memory);
    // Assess 3
    expect(third.records[0]?.forensicsCopy).toMatchObject({ snapshotId: forensicsId, created: false });
    expect(forensics.calls.filter((c) => c === 'CopySnapshotCommand')).toHaveLength(1);
    expect(third.memory.completedObservedAt[forensicsId]).toBe('2026-11-22T10:20:00.000Z');
    expect(isSettled(third.records)).toBe(true);
  });

  it('records a failed source snapshot as settled, with nothing copied from it', async () => {
    // Prepare
    const { ec2 } = recordedEc2([source('snap-9', 'error')]);
    // Act
    const { records } = await recordVolumes({
      ec2,
      scope,
      snapshots: [source('snap-9', 'error')],
      devices: new Map(),
      settings: { ...settings, forensicsAccountId: undefined, copyIntoForensicsAccount: false },
      metrics: metrics(),
      now: at('2026-11-22T10:00:00Z'),
      memory: empty,
    });
    // Assess
    expect(records[0]?.copy).toEqual({
      status: expect.stringMatching(/^failed: the source snapshot is in state error/),
    });
    expect(isSettled(records)).toBe(true);
  });
});

describe('forensicsCopy (recorded EC2 responses)', () => {
  it(`counts looks at which the shared snapshot is invisible, and fails after ${MAX_COPY_MISSES}`, async () => {
    // Prepare
    const { ec2 } = recordedEc2([], { copyError: 'InvalidSnapshot.NotFound' });
    const input = {
      ec2,
      accountId: FORENSICS,
      sharedSnapshotId: 'snap-c1',
      region: 'eu-west-1',
      kmsKeyId: KEY,
      tags: [],
    };
    // Act
    const first = await forensicsCopy({ ...input, misses: 0 });
    const last = await forensicsCopy({ ...input, misses: MAX_COPY_MISSES - 1 });
    // Assess
    expect(first).toMatchObject({ status: expect.stringMatching(/^waiting:/), misses: 1 });
    expect(last).toMatchObject({
      status: expect.stringMatching(/^failed: account 222222222222 could not copy snap-c1/),
    });
  });

  it('lets any other error through (the queue retries throttling; access denied goes to the DLQ)', async () => {
    // Prepare
    const { ec2 } = recordedEc2([], { copyError: 'UnauthorizedOperation' });
    // Act / Assess
    await expect(
      forensicsCopy({
        ec2,
        accountId: FORENSICS,
        sharedSnapshotId: 'snap-c1',
        region: 'eu-west-1',
        kmsKeyId: KEY,
        tags: [],
        misses: 0,
      }),
    ).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });
});

describe('the snapshot watch schedule', () => {
  it('doubles the delay from the configured base up to SQS’s 900 s', () => {
    // Act / Assess
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => followupDelaySeconds(attempt, 60))).toEqual([
      60, 120, 240, 480, 900, 900, 900,
    ]);
  });

  it('looks again while work is in progress, records it as expired once the watch has run out', () => {
    // Prepare
    const pending = { ...baseRecord, state: 'pending' };
    // Act / Assess
    expect(watchVerdict([pending], new Date('2026-11-22T10:00:00Z'), '2026-11-23T10:00:00Z')).toBe(
      'look-again',
    );
    expect(watchVerdict([pending], new Date('2026-11-23T10:00:00Z'), '2026-11-23T10:00:00Z')).toBe('expired');
    expect(watchVerdict([baseRecord], new Date('2026-11-23T11:00:00Z'), '2026-11-23T10:00:00Z')).toBe(
      'settled',
    );
  });
});

const baseRecord: VolumeRecord = {
  volumeId: 'vol-1',
  device: '/dev/xvda',
  snapshotId: 'snap-1',
  state: 'completed',
  progress: '100%',
  startTime: null,
  completedObservedAt: '2026-11-22T10:00:00.000Z',
  copy: null,
  share: null,
  forensicsCopy: null,
};
