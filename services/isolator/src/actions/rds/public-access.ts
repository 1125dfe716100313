import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import {
  addRdsTags,
  describeDatabase,
  describeDbInstance,
  describeRds,
  RdsTag,
  rdsTags,
  removeRdsTags,
} from './rds-database.js';

/** What `contain.rds-public-access` replaces: each DB instance's `PubliclyAccessible`. */
export const RdsPublicAccessPreState = z.object({
  kind: z.enum(['instance', 'cluster']),
  id: z.string().min(1),
  instances: z.array(z.object({ dbInstanceIdentifier: z.string().min(1), publiclyAccessible: z.boolean() })),
});
/** @see RdsPublicAccessPreState */
export type RdsPublicAccessPreState = z.infer<typeof RdsPublicAccessPreState>;

/** One DB instance as this action sees it: its flag, ARN and this action's tags. */
interface InstanceAccess {
  readonly dbInstanceIdentifier: string;
  readonly arn: string;
  readonly publiclyAccessible: boolean;
  readonly tags: Record<string, string>;
}

async function readInstance(rds: RDSClient, id: string): Promise<InstanceAccess> {
  const instance = await describeDbInstance(rds, id);
  const arn = instance.DBInstanceArn ?? '';
  return {
    dbInstanceIdentifier: id,
    arn,
    publiclyAccessible: instance.PubliclyAccessible === true,
    tags: arn ? await rdsTags(rds, arn) : {},
  };
}

async function setPublic(rds: RDSClient, id: string, PubliclyAccessible: boolean): Promise<void> {
  await rds.send(
    new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, PubliclyAccessible, ApplyImmediately: true }),
  );
}

/** Reads every instance back until each has its `wanted` flag (RDS applies it within minutes). */
function readBack(rds: RDSClient, wanted: ReadonlyMap<string, boolean>, signal: AbortSignal) {
  return readBackUntilVerified(
    async () => {
      const observed: Record<string, boolean> = {};
      const problems: string[] = [];
      for (const [id, flag] of wanted) {
        const { publiclyAccessible } = await readInstance(rds, id);
        observed[id] = publiclyAccessible;
        if (publiclyAccessible !== flag)
          problems.push(`${id} is PubliclyAccessible=${publiclyAccessible}, not ${flag}`);
      }
      return { observed, problems };
    },
    { signal, attempts: 10, delayMs: 1000 },
  );
}

/**
 * `contain.rds-public-access`: `PubliclyAccessible=false` on the DB instance, or on every instance of
 * an Aurora cluster (the flag is per instance there), applied now and read back. Each instance's flag
 * is tagged on it before the change, so a repeat reports the flags from before the first run
 * (TRAPS 24); an instance made private under another incident is refused. A Multi-AZ DB cluster
 * (not Aurora) keeps the flag on the cluster: refused, a person does that by hand. RDS has no
 * `DryRun`: a dry run reads only.
 */
export function containRdsPublicAccess(): StepHandler<'contain.rds-public-access'> {
  return async (target, context) => {
    const rds = await context.client(RDSClient);
    const db = await describeDatabase(rds, target);
    const where = describeRds(db);
    if (db.kind === 'cluster' && !db.engine?.startsWith('aurora')) {
      throw new ContainmentRefusedError(
        `${where} is a Multi-AZ DB cluster (${db.engine ?? 'unknown engine'}), whose public accessibility is set on the cluster; change it by hand`,
        { ...target },
      );
    }
    const instances = await Promise.all(db.instanceIds.map((id) => readInstance(rds, id)));
    for (const instance of instances) {
      const owner = instance.tags[RdsTag.privateBy];
      if (owner && owner !== context.incidentId) {
        throw new ContainmentRefusedError(
          `DB instance ${instance.dbInstanceIdentifier} was made private under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
          { ...target, owner },
        );
      }
    }
    const recorded = (instance: InstanceAccess) => {
      const value = instance.tags[RdsTag.privateBy] ? instance.tags[RdsTag.prePublic] : undefined;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    };
    const preState: RdsPublicAccessPreState = {
      kind: db.kind,
      id: db.id,
      instances: instances.map((i) => ({
        dbInstanceIdentifier: i.dbInstanceIdentifier,
        publiclyAccessible: recorded(i) ?? i.publiclyAccessible,
      })),
    };
    const pending = instances.filter((i) => i.publiclyAccessible);
    const changes = pending.map(
      (i) => `set PubliclyAccessible=false on DB instance ${i.dbInstanceIdentifier} (was true)`,
    );
    if (context.dryRun) {
      return succeeded(
        {
          ...target,
          kind: db.kind,
          dryRun: true,
          alreadyPrivate: pending.length === 0,
          wouldChange: changes,
        },
        { preState },
      );
    }
    for (const instance of pending) {
      if (recorded(instance) === undefined) {
        await addRdsTags(rds, instance.arn, {
          [RdsTag.privateBy]: context.incidentId,
          [RdsTag.prePublic]: String(instance.publiclyAccessible),
        });
      }
      await setPublic(rds, instance.dbInstanceIdentifier, false);
    }
    const wanted = new Map(instances.map((i) => [i.dbInstanceIdentifier, false]));
    const verified = await readBack(rds, wanted, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`public access cut-off of ${where}`, verified.problems, {
        ...target,
      });
    }
    context.logger.info({ kind: db.kind, id: db.id, changed: pending.length }, 'rds_public_access_removed');
    return succeeded(
      { ...target, kind: db.kind, alreadyPrivate: pending.length === 0, changes },
      { preState, verified: { publiclyAccessible: verified.observed } },
    );
  };
}

/**
 * `rollback.rds-public-access`: puts back each instance's recorded flag (only where it differs),
 * reads it back, then removes this incident's tags.
 */
export function rollbackRdsPublicAccess(): StepHandler<'rollback.rds-public-access'> {
  return async (params, context) => {
    const preState = parsePreState(RdsPublicAccessPreState, params.preState, 'rollback.rds-public-access');
    const rds = await context.client(RDSClient);
    const instances = await Promise.all(
      preState.instances.map(async (recorded) => ({
        recorded,
        now: await readInstance(rds, recorded.dbInstanceIdentifier),
      })),
    );
    const pending = instances.filter(
      ({ recorded, now }) => now.publiclyAccessible !== recorded.publiclyAccessible,
    );
    const ours = instances.filter(({ now }) => now.tags[RdsTag.privateBy] === context.incidentId);
    const changes = [
      ...pending.map(
        ({ recorded }) =>
          `set PubliclyAccessible=${recorded.publiclyAccessible} on DB instance ${recorded.dbInstanceIdentifier}`,
      ),
      ...ours.map(
        ({ now }) => `remove tags ${RdsTag.privateBy}, ${RdsTag.prePublic} from ${now.dbInstanceIdentifier}`,
      ),
    ];
    if (context.dryRun)
      return succeeded({ kind: preState.kind, id: preState.id, dryRun: true, wouldChange: changes });

    for (const { recorded } of pending) {
      await setPublic(rds, recorded.dbInstanceIdentifier, recorded.publiclyAccessible);
    }
    const wanted = new Map(preState.instances.map((i) => [i.dbInstanceIdentifier, i.publiclyAccessible]));
    const verified = await readBack(rds, wanted, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(
        `restore of public accessibility of DB ${preState.kind} ${preState.id}`,
        verified.problems,
        { kind: preState.kind, id: preState.id },
      );
    }
    for (const { now } of ours) await removeRdsTags(rds, now.arn, [RdsTag.privateBy, RdsTag.prePublic]);
    context.logger.info({ kind: preState.kind, id: preState.id }, 'rds_public_access_restored');
    return succeeded(
      { kind: preState.kind, id: preState.id, changes },
      { verified: { publiclyAccessible: verified.observed } },
    );
  };
}
