/**
 * The rds-compromise playbook from finding to final state: the five services as separate processes
 * against the emulator, a GuardDuty RDS Protection finding (AWS's documented sample, the intake
 * fixture `guardduty-eventbridge-rds-login.json`) sent as EventBridge delivers it, and the database,
 * its snapshot and the evidence read back.
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { createRdsDatabase } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { type EventBridgeSample, eventBridgeSample, type SampleTarget } from '../support/finding-samples.js';
import { stepOf } from '../support/incident-progress.js';
import { approveStepAndWait, rollBackAndWait, sendFindingAndWait } from '../support/incident-flow.js';
import { useSystem } from '../support/suite.js';

/** The parts of the sample event this test points at its own database. */
interface RdsLoginEvent extends EventBridgeSample {
  detail: EventBridgeSample['detail'] & {
    resource: {
      rdsDbInstanceDetails: {
        dbInstanceIdentifier: string;
        dbClusterIdentifier: string;
        engine: string;
        dbInstanceArn: string;
      };
    };
    service: { additionalInfo: { unusualBehavior?: unknown; sample?: boolean } };
  };
}

/**
 * The documented sample, pointed at this account, region and database, with fresh ids and times.
 * `sample: true` is dropped: detection skips generated sample findings (TRAPS 15), and this stands
 * for a real one.
 */
function rdsLoginFinding(where: SampleTarget, db: { cluster: string; instance: string }) {
  const event = eventBridgeSample<RdsLoginEvent>('guardduty-eventbridge-rds-login.json', where);
  const { detail } = event;
  detail.service.additionalInfo = { unusualBehavior: detail.service.additionalInfo.unusualBehavior };
  const instance = detail.resource.rdsDbInstanceDetails;
  instance.dbInstanceIdentifier = db.instance;
  instance.dbClusterIdentifier = db.cluster;
  instance.engine = 'aurora-postgresql';
  instance.dbInstanceArn = `arn:aws:rds:${where.region}:${where.accountId}:db:${db.instance}`;
  return event;
}

describe('rds-compromise, end to end', () => {
  let rds: RDSClient;
  const running = useSystem(
    async () => {
      const system = await systemInIsolatedAccount();
      // The system's own clients have no RDS one: the same endpoint and credentials as its EC2 client.
      rds = new RDSClient({
        endpoint: inject('awsEndpoint'),
        region: system.region,
        credentials: system.clients.ec2.config.credentials,
      });
      return system;
    },
    async () => rds?.destroy(),
  );

  it('an anomalous login on an Aurora member: the cluster is snapshotted, isolated and verified; made private once approved; the rollback restores both', async () => {
    const system = running();
    // Prepare
    const db = await createRdsDatabase({
      ec2: system.clients.ec2,
      rds,
      kind: 'cluster',
      members: 1,
      publiclyAccessible: true,
    });
    const member = db.instanceIds[0] as string;
    const finding = rdsLoginFinding(system, { cluster: db.id, instance: member });

    // Act
    const view = await sendFindingAndWait(system, finding, finding.detail.id);

    // Assess: the plan, in order: snapshot, isolation, the approval-gated step held
    expect(view.incident.playbookId).toBe('rds-compromise');
    expect(stepOf(view, 'evidence.snapshot-rds').status).toBe('succeeded');
    expect(stepOf(view, 'contain.rds-database').status).toBe('succeeded');
    expect(stepOf(view, 'contain.rds-public-access').status).toBe('awaiting-approval');
    expect(stepOf(view, 'evidence.seal').status).toBe('succeeded');
    expect(stepOf(view, 'contain.rds-database').preState).toEqual({
      kind: 'cluster',
      id: db.id,
      vpcId: db.vpcId,
      securityGroupIds: db.groupIds,
    });
    // The cluster is in the VPC's isolation group alone, and that group has no egress
    const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.id })))
      .DBClusters?.[0];
    const groups = (cluster?.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId as string);
    expect(groups).toHaveLength(1);
    const isolation = (await system.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groups })))
      .SecurityGroups?.[0];
    expect(isolation?.VpcId).toBe(db.vpcId);
    expect(isolation?.Tags).toEqual(expect.arrayContaining([{ Key: 'ir:group-role', Value: 'isolation' }]));
    expect(isolation?.IpPermissionsEgress ?? []).toEqual([]);
    // The evidence snapshot, available and tagged with the incident
    const snapshots =
      (
        await rds.send(
          new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: db.id, SnapshotType: 'manual' }),
        )
      ).DBClusterSnapshots ?? [];
    expect(snapshots.map((s) => s.Status)).toEqual(['available']);
    expect(snapshots[0]?.TagList).toEqual(
      expect.arrayContaining([{ Key: 'ir:incident-id', Value: view.incident.incidentId }]),
    );
    // Still public: that change waits for a person
    const instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: member })))
      .DBInstances?.[0];
    expect(instance?.PubliclyAccessible).toBe(true);

    // Act: a person approves making it private
    const madePrivate = await approveStepAndWait(
      system,
      view,
      finding.detail.id,
      'contain.rds-public-access',
    );

    // Assess
    expect(stepOf(madePrivate, 'contain.rds-public-access').preState).toEqual({
      kind: 'cluster',
      id: db.id,
      instances: [{ dbInstanceIdentifier: member, publiclyAccessible: true }],
    });
    expect(await publiclyAccessible(member)).toBe(false);

    // Act: roll the incident back as a responder would; a second person (an approver) approves it
    const rolledBack = await rollBackAndWait(
      system,
      view,
      finding.detail.id,
      'false positive: a planned migration',
    );

    // Assess: exactly the groups and the flag from before, read back
    expect(stepOf(rolledBack, 'rollback.rds-database', 'rollback:').status).toBe('succeeded');
    expect(stepOf(rolledBack, 'rollback.rds-public-access', 'rollback:').status).toBe('succeeded');
    const restored = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: db.id })))
      .DBClusters?.[0];
    expect((restored?.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).sort()).toEqual(
      [...db.groupIds].sort(),
    );
    expect(await publiclyAccessible(member)).toBe(true);
  });

  async function publiclyAccessible(instanceId: string) {
    const output = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
    return output.DBInstances?.[0]?.PubliclyAccessible;
  }
});
