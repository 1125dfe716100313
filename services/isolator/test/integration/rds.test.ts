import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { createRdsDatabase, rdsClient } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** The database's groups, public flags and `ir-record:rds-*` tags, read back from the emulator. */
async function readDatabase(rds: RDSClient, kind: 'instance' | 'cluster', id: string) {
  const onlyOurs = (tags: { Key?: string; Value?: string }[] = []) =>
    Object.fromEntries(tags.filter((t) => t.Key?.startsWith('ir-record:rds-')).map((t) => [t.Key, t.Value]));
  if (kind === 'instance') {
    const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
      .DBInstances?.[0];
    const tags = await rds.send(new ListTagsForResourceCommand({ ResourceName: db?.DBInstanceArn }));
    return {
      groups: (db?.VpcSecurityGroups ?? []).map((g) => `${g.VpcSecurityGroupId}:${g.Status}`).sort(),
      public: { [id]: db?.PubliclyAccessible },
      tags: onlyOurs(tags.TagList),
    };
  }
  const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id })))
    .DBClusters?.[0];
  const tags = await rds.send(new ListTagsForResourceCommand({ ResourceName: cluster?.DBClusterArn }));
  const members: Record<string, boolean | undefined> = {};
  for (const member of cluster?.DBClusterMembers ?? []) {
    const instance = (
      await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: member.DBInstanceIdentifier }))
    ).DBInstances?.[0];
    members[member.DBInstanceIdentifier ?? ''] = instance?.PubliclyAccessible;
  }
  return {
    groups: (cluster?.VpcSecurityGroups ?? []).map((g) => `${g.VpcSecurityGroupId}:${g.Status}`).sort(),
    public: members,
    tags: onlyOurs(tags.TagList),
  };
}

const active = (ids: string[]) => ids.map((id) => `${id}:active`).sort();

describe('contain.rds-database and contain.rds-public-access (on the emulator)', () => {
  let fixture: Fixture;
  let rds: RDSClient;
  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_FORENSICS_CIDR: '10.99.0.0/24' });
    rds = rdsClient({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
  });
  afterAll(async () => {
    rds.destroy();
    await fixture.stop();
  });

  it('moves a DB instance to the VPC isolation group, converges when run twice, and the rollback puts back exactly its groups', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'instance' });
    const params = { dbInstanceIdentifier: db.id };

    // Act
    const first = succeeded(await fixture.runStep('contain.rds-database', params));

    // Assess: only the isolation group, active; it has no egress and only the forensics CIDR in
    const isolated = await readDatabase(rds, 'instance', db.id);
    const isolationGroupId = first.result.isolationGroupId as string;
    expect(isolated.groups).toEqual(active([isolationGroupId]));
    const group = (
      await fixture.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolationGroupId] }))
    ).SecurityGroups?.[0];
    expect(group?.VpcId).toBe(db.vpcId);
    expect(group?.IpPermissionsEgress ?? []).toEqual([]);
    expect(group?.IpPermissions?.flatMap((p) => p.IpRanges?.map((r) => r.CidrIp))).toEqual(['10.99.0.0/24']);
    expect(isolated.tags).toEqual({
      'ir-record:rds-isolated-by': 'inc-test-1',
      'ir-record:rds-pre-groups': db.groupIds.join(' '),
    });
    expect(first.preState).toEqual({
      kind: 'instance',
      id: db.id,
      vpcId: db.vpcId,
      securityGroupIds: db.groupIds,
    });
    expect(first.result.alreadyIsolated).toBe(false);

    // Act: the same command again (a lost answer, TRAPS 24)
    const second = succeeded(await fixture.runStep('contain.rds-database', params));

    // Assess: nothing changed; the pre-state is still the groups from before the first run
    expect(await readDatabase(rds, 'instance', db.id)).toEqual(isolated);
    expect(second.preState).toEqual(first.preState);
    expect(second.result.alreadyIsolated).toBe(true);

    // Act: roll back twice
    const rollback = { originalStepId: first.stepId, preState: first.preState ?? {} };
    succeeded(await fixture.runStep('rollback.rds-database', rollback));
    const restored = await readDatabase(rds, 'instance', db.id);
    succeeded(await fixture.runStep('rollback.rds-database', rollback));

    // Assess
    expect(restored.groups).toEqual(active(db.groupIds));
    expect(restored.tags).toEqual({});
    expect(await readDatabase(rds, 'instance', db.id)).toEqual(restored);
  });

  it('isolates the cluster when the finding names an Aurora member (its groups are the cluster’s), reusing the VPC’s one isolation group', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'cluster' });
    const other = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'instance' });

    // Act: by the member instance, as a GuardDuty finding with no cluster id would name it
    const contained = succeeded(
      await fixture.runStep('contain.rds-database', { dbInstanceIdentifier: db.instanceIds[0] as string }),
    );
    const again = succeeded(await fixture.runStep('contain.rds-database', { dbClusterIdentifier: db.id }));

    // Assess
    const isolationGroupId = contained.result.isolationGroupId as string;
    expect(contained.result.kind).toBe('cluster');
    expect(again.result.isolationGroupId).toBe(isolationGroupId);
    const cluster = await readDatabase(rds, 'cluster', db.id);
    expect(cluster.groups).toEqual(active([isolationGroupId]));
    expect(cluster.tags['ir-record:rds-isolated-by']).toBe('inc-test-1');
    expect(contained.preState).toEqual({
      kind: 'cluster',
      id: db.id,
      vpcId: db.vpcId,
      securityGroupIds: db.groupIds,
    });
    expect((await readDatabase(rds, 'instance', other.id)).groups).toEqual(active(other.groupIds));

    // Act
    succeeded(
      await fixture.runStep('rollback.rds-database', {
        originalStepId: contained.stepId,
        preState: contained.preState ?? {},
      }),
    );

    // Assess
    expect(await readDatabase(rds, 'cluster', db.id)).toMatchObject({
      groups: active(db.groupIds),
      tags: {},
    });
  });

  it('in dry-run changes nothing and says what it would change', async () => {
    // Prepare
    const db = await createRdsDatabase({
      ec2: fixture.clients.ec2,
      rds,
      kind: 'instance',
      publiclyAccessible: true,
    });
    const params = { dbInstanceIdentifier: db.id };
    const before = await readDatabase(rds, 'instance', db.id);

    // Act
    const isolate = succeeded(await fixture.runStep('contain.rds-database', params, { dryRun: true }));
    const makePrivate = succeeded(
      await fixture.runStep('contain.rds-public-access', params, { dryRun: true }),
    );

    // Assess
    expect(await readDatabase(rds, 'instance', db.id)).toEqual(before);
    expect((isolate.result.wouldChange as string[]).join('\n')).toContain(
      `set the security groups of DB instance ${db.id}`,
    );
    expect(makePrivate.result.wouldChange).toEqual([
      `set PubliclyAccessible=false on DB instance ${db.id} (was true)`,
    ]);
    expect(makePrivate.preState).toMatchObject({
      instances: [{ dbInstanceIdentifier: db.id, publiclyAccessible: true }],
    });
  });

  it('makes a public instance private and back, and every member of an Aurora cluster', async () => {
    // Prepare
    const instance = await createRdsDatabase({
      ec2: fixture.clients.ec2,
      rds,
      kind: 'instance',
      publiclyAccessible: true,
    });
    const cluster = await createRdsDatabase({
      ec2: fixture.clients.ec2,
      rds,
      kind: 'cluster',
      publiclyAccessible: true,
    });

    // Act
    const one = succeeded(
      await fixture.runStep('contain.rds-public-access', { dbInstanceIdentifier: instance.id }),
    );
    const repeat = succeeded(
      await fixture.runStep('contain.rds-public-access', { dbInstanceIdentifier: instance.id }),
    );
    const all = succeeded(
      await fixture.runStep('contain.rds-public-access', { dbClusterIdentifier: cluster.id }),
    );

    // Assess
    const privateInstance = await readDatabase(rds, 'instance', instance.id);
    expect(privateInstance.public).toEqual({ [instance.id]: false });
    expect(privateInstance.tags).toEqual({
      'ir-record:rds-private-by': 'inc-test-1',
      'ir-record:rds-pre-public': 'true',
    });
    expect(repeat.preState).toEqual(one.preState);
    expect(repeat.result.alreadyPrivate).toBe(true);
    expect((await readDatabase(rds, 'cluster', cluster.id)).public).toEqual(
      Object.fromEntries(cluster.instanceIds.map((id) => [id, false])),
    );
    expect(all.preState).toEqual({
      kind: 'cluster',
      id: cluster.id,
      instances: cluster.instanceIds.map((id) => ({ dbInstanceIdentifier: id, publiclyAccessible: true })),
    });

    // Act
    for (const step of [one, all]) {
      succeeded(
        await fixture.runStep('rollback.rds-public-access', {
          originalStepId: step.stepId,
          preState: step.preState ?? {},
        }),
      );
    }

    // Assess
    expect(await readDatabase(rds, 'instance', instance.id)).toMatchObject({
      public: { [instance.id]: true },
      tags: {},
    });
    expect((await readDatabase(rds, 'cluster', cluster.id)).public).toEqual(
      Object.fromEntries(cluster.instanceIds.map((id) => [id, true])),
    );
  });

  it('refuses a missing database, one isolated under another incident, and a malformed pre-state, with step.failed', async () => {
    // Prepare
    const db = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'instance' });
    succeeded(
      await fixture.runStep('contain.rds-database', { dbInstanceIdentifier: db.id }, { incidentId: 'inc-a' }),
    );

    // Act
    const missing = await fixture.runStep('contain.rds-database', { dbInstanceIdentifier: 'no-such-db' });
    const other = await fixture.runStep(
      'contain.rds-database',
      { dbInstanceIdentifier: db.id },
      { incidentId: 'inc-b' },
    );
    const bad = await fixture.runStep('rollback.rds-database', {
      originalStepId: 's',
      preState: { id: db.id },
    });

    // Assess
    expect(failed(missing).errorName).toBe('ResourceNotFoundError');
    expect(failed(other).errorName).toBe('ContainmentRefusedError');
    expect(failed(bad).errorName).toBe('InvalidPreStateError');
    expect((await readDatabase(rds, 'instance', db.id)).tags['ir-record:rds-isolated-by']).toBe('inc-a');
  });
});
