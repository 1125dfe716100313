import { EC2Client } from '@aws-sdk/client-ec2';
import { ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { ensureGroup } from '../ec2/isolation-groups.js';
import { parsePreState } from '../pre-state.js';
import {
  addRdsTags,
  describeDatabase,
  describeRds,
  type RdsDatabase,
  RdsTag,
  rdsTags,
  removeRdsTags,
} from './rds-database.js';

/** What `contain.rds-database` replaces: the database's security groups. */
export const RdsIsolationPreState = z.object({
  kind: z.enum(['instance', 'cluster']),
  id: z.string().min(1),
  vpcId: z.string().min(1),
  securityGroupIds: z.array(z.string().min(1)).min(1),
});
/** @see RdsIsolationPreState */
export type RdsIsolationPreState = z.infer<typeof RdsIsolationPreState>;

/** The target of a rollback, rebuilt from its pre-state. */
function targetOf(preState: Pick<RdsIsolationPreState, 'kind' | 'id'>) {
  return preState.kind === 'cluster'
    ? { dbClusterIdentifier: preState.id }
    : { dbInstanceIdentifier: preState.id };
}

/** Sets the database's VPC security groups, applied now rather than in the maintenance window. */
async function setGroups(rds: RDSClient, db: RdsDatabase, groupIds: readonly string[]): Promise<void> {
  const VpcSecurityGroupIds = [...groupIds];
  if (db.kind === 'cluster') {
    await rds.send(
      new ModifyDBClusterCommand({ DBClusterIdentifier: db.id, VpcSecurityGroupIds, ApplyImmediately: true }),
    );
  } else {
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: db.id,
        VpcSecurityGroupIds,
        ApplyImmediately: true,
      }),
    );
  }
}

/** What is wrong with the groups read back: not exactly `wanted`, or not yet `active`. */
function groupProblems(db: RdsDatabase, wanted: readonly string[]): string[] {
  const have = db.groups.map((g) => g.groupId).sort();
  const want = [...wanted].sort();
  const problems: string[] = [];
  if (have.join(' ') !== want.join(' ')) {
    problems.push(`security groups are [${have.join(', ')}], not [${want.join(', ')}]`);
  }
  // `adding` / `removing`: RDS has not applied the change yet; old groups may still let traffic in.
  for (const g of db.groups) if (g.status !== 'active') problems.push(`${g.groupId} is ${g.status}`);
  return problems;
}

/**
 * Reads the database back until its groups are exactly `wanted` and active. RDS applies a group change
 * asynchronously ("as soon as possible"), so the first reads may still show the old groups. Exported
 * for its unit test on AWS-shaped responses (the emulator applies the change at once).
 */
export function readBackGroups(
  rds: RDSClient,
  db: Pick<RdsDatabase, 'kind' | 'id'>,
  wanted: readonly string[],
  signal: AbortSignal,
  delayMs = 1000,
) {
  return readBackUntilVerified(
    async () => {
      const observed = await describeDatabase(rds, targetOf(db));
      return { observed, problems: groupProblems(observed, wanted) };
    },
    { signal, attempts: 10, delayMs },
  );
}

/**
 * `contain.rds-database`: moves the DB instance, or the cluster, to its VPC's isolation security
 * group (the one `contain.ec2-instance` uses: no egress, ingress only from the forensics CIDR), with
 * `ApplyImmediately`, and reads the groups back until only that group is active. The previous groups
 * are tagged on the database first, so a repeat under the same incident reports them (TRAPS 24); a
 * database isolated under another incident is refused. RDS has no `DryRun`: a dry run makes read
 * calls only and says what it would change.
 */
export function containRdsDatabase(deps: ActionDeps): StepHandler<'contain.rds-database'> {
  return async (target, context) => {
    const rds = await context.client(RDSClient);
    const ec2 = await context.client(EC2Client);
    const db = await describeDatabase(rds, target);
    const where = describeRds(db);
    const tags = await rdsTags(rds, db.arn);
    const owner = tags[RdsTag.isolatedBy];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `${where} was isolated under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { ...target, owner },
      );
    }
    if (!db.vpcId) {
      throw new ContainmentRefusedError(`${where} is not in a VPC; isolate it by hand`, { ...target });
    }
    const recordedGroups = owner ? tags[RdsTag.preGroups]?.split(' ').filter(Boolean) : undefined;
    const preState: RdsIsolationPreState = {
      kind: db.kind,
      id: db.id,
      vpcId: db.vpcId,
      securityGroupIds: recordedGroups?.length ? recordedGroups : db.groups.map((g) => g.groupId),
    };
    const isolation = await ensureGroup(ec2, db.vpcId, 'isolation', {
      prefix: deps.config.IR_PREFIX,
      forensicsCidr: deps.config.IR_FORENSICS_CIDR,
      dryRun: context.dryRun,
      incidentId: context.incidentId,
    });
    const pending = !(db.groups.length === 1 && db.groups[0]?.groupId === isolation.groupId);
    const changes = [
      ...isolation.changes,
      ...(pending && !recordedGroups
        ? [`tag ${where} with ${RdsTag.isolatedBy}=${context.incidentId} and its groups`]
        : []),
      ...(pending
        ? [
            `set the security groups of ${where} to ${isolation.groupId ?? isolation.groupName} (were ${preState.securityGroupIds.join(', ')})`,
          ]
        : []),
    ];

    if (context.dryRun) {
      return succeeded(
        { ...target, kind: db.kind, dryRun: true, alreadyIsolated: !pending, wouldChange: changes },
        { preState },
      );
    }
    const isolationGroupId = isolation.groupId as string;
    if (pending && !recordedGroups) {
      await addRdsTags(rds, db.arn, {
        [RdsTag.isolatedBy]: context.incidentId,
        [RdsTag.preGroups]: preState.securityGroupIds.join(' '),
      });
    }
    if (pending) await setGroups(rds, db, [isolationGroupId]);

    const verified = await readBackGroups(rds, db, [isolationGroupId], context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`isolation of ${where}`, verified.problems, { ...target });
    }
    context.logger.info({ kind: db.kind, id: db.id, alreadyIsolated: !pending }, 'rds_database_isolated');
    return succeeded(
      { ...target, kind: db.kind, isolationGroupId, alreadyIsolated: !pending, changes },
      { preState, verified: { securityGroups: verified.observed.groups } },
    );
  };
}

/**
 * `rollback.rds-database`: puts back the recorded security groups (only if they differ, so a repeat
 * converges), reads them back, and only then removes this incident's tags, so a failed rollback can
 * be retried. The isolation group stays: other resources in the VPC may use it.
 */
export function rollbackRdsDatabase(): StepHandler<'rollback.rds-database'> {
  return async (params, context) => {
    const preState = parsePreState(RdsIsolationPreState, params.preState, 'rollback.rds-database');
    const rds = await context.client(RDSClient);
    const db = await describeDatabase(rds, targetOf(preState));
    const where = describeRds(db);
    const tags = await rdsTags(rds, db.arn);
    const pending =
      groupProblems(
        { ...db, groups: db.groups.map((g) => ({ ...g, status: 'active' })) },
        preState.securityGroupIds,
      ).length > 0;
    const tagKeys =
      tags[RdsTag.isolatedBy] === context.incidentId ? [RdsTag.isolatedBy, RdsTag.preGroups] : [];
    const changes = [
      ...(pending
        ? [`set the security groups of ${where} back to ${preState.securityGroupIds.join(', ')}`]
        : []),
      ...(tagKeys.length > 0 ? [`remove tags ${tagKeys.join(', ')} from ${where}`] : []),
    ];
    if (context.dryRun) return succeeded({ kind: db.kind, id: db.id, dryRun: true, wouldChange: changes });

    if (pending) await setGroups(rds, db, preState.securityGroupIds);
    const verified = await readBackGroups(rds, db, preState.securityGroupIds, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`restore of the security groups of ${where}`, verified.problems, {
        kind: db.kind,
        id: db.id,
      });
    }
    await removeRdsTags(rds, db.arn, tagKeys);
    context.logger.info({ kind: db.kind, id: db.id }, 'rds_database_isolation_rolled_back');
    return succeeded(
      { kind: db.kind, id: db.id, changes },
      { verified: { securityGroups: verified.observed.groups } },
    );
  };
}
