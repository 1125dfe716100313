import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { createRdsDatabase, rdsClient } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentVersions, readJson } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

interface RdsEvidence {
  kind: string;
  id: string;
  cluster: { DBClusterIdentifier?: string } | null;
  instances: { DBInstanceIdentifier?: string; VpcSecurityGroups?: { VpcSecurityGroupId?: string }[] }[];
  snapshot: { snapshotIdentifier: string; status: string; tags: Record<string, string> };
}

describe('evidence.snapshot-rds (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let rds: RDSClient;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    rds = rdsClient({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
  });
  afterAll(async () => {
    rds.destroy();
    await fixture?.service.stop();
  });

  const evidence = (stepId: string) =>
    readJson<RdsEvidence>(
      fixture.clients.s3,
      fixture.system.bucketName,
      `incidents/${fixture.incidentId}/${stepId}/rds-database.json`,
    );

  it('snapshots a DB instance, tagged with the incident, read back as available, and records its configuration; a rerun takes no second snapshot', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'instance' });
    const params = { dbInstanceIdentifier: db.id };

    // Act
    const first = await fixture.run('evidence.snapshot-rds', params, { stepId: 'rds-instance' });
    const second = await fixture.run('evidence.snapshot-rds', params, { stepId: 'rds-instance' });

    // Assess: one snapshot of this instance, available and tagged
    expect(first.type).toBe('step.succeeded');
    expect(second.type).toBe('step.succeeded');
    const snapshots =
      (
        await rds.send(
          new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db.id, SnapshotType: 'manual' }),
        )
      ).DBSnapshots ?? [];
    expect(snapshots).toHaveLength(1);
    const [snapshot] = snapshots;
    expect(snapshot?.Status).toBe('available');
    const tags = Object.fromEntries((snapshot?.TagList ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      'ir:incident-id': fixture.incidentId,
      'ir:step-id': 'rds-instance',
      'ir:kind': 'source',
      'ir:source-database': `instance/${db.id}`,
    });
    // And the configuration, in the evidence bucket
    const document = await evidence('rds-instance');
    expect(document.kind).toBe('instance');
    expect(document.snapshot.snapshotIdentifier).toBe(snapshot?.DBSnapshotIdentifier);
    expect(document.snapshot.status).toBe('available');
    expect(document.instances[0]?.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId).sort()).toEqual(
      [...db.groupIds].sort(),
    );
  });

  it('snapshots the cluster of an Aurora member and records the cluster and every member', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'cluster' });

    // Act: named by its member instance only
    const answer = await fixture.run(
      'evidence.snapshot-rds',
      { dbInstanceIdentifier: db.instanceIds[0] as string },
      { stepId: 'rds-cluster' },
    );

    // Assess
    expect(answer.type).toBe('step.succeeded');
    const snapshots =
      (
        await rds.send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: db.id, SnapshotType: 'manual' }),
        )
      ).DBClusterSnapshots ?? [];
    expect(snapshots.map((s) => s.Status)).toEqual(['available']);
    const document = await evidence('rds-cluster');
    expect(document.kind).toBe('cluster');
    expect(document.cluster?.DBClusterIdentifier).toBe(db.id);
    expect(document.instances.map((i) => i.DBInstanceIdentifier).sort()).toEqual([...db.instanceIds].sort());
  });

  it('in dry-run takes no snapshot and writes nothing; a missing database fails the step', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'instance' });

    // Act
    const dry = await fixture.run(
      'evidence.snapshot-rds',
      { dbInstanceIdentifier: db.id },
      { stepId: 'rds-dry', dryRun: true },
    );
    const missing = await fixture.run(
      'evidence.snapshot-rds',
      { dbInstanceIdentifier: 'no-such-db' },
      { stepId: 'rds-missing' },
    );

    // Assess
    expect(dry.type).toBe('step.succeeded');
    expect(
      (
        await rds.send(
          new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db.id, SnapshotType: 'manual' }),
        )
      ).DBSnapshots,
    ).toEqual([]);
    const written = await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId);
    expect(written.filter((v) => v.key.includes('/rds-dry/'))).toEqual([]);
    expect(missing.type).toBe('step.failed');
  });
});
