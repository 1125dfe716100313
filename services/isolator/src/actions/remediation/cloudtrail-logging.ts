import {
  AddTagsCommand,
  RemoveTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, ResourceNotFoundError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import {
  ownerOf,
  readTrail,
  resolveTrails,
  TRAIL_STARTED_BY_TAG,
  type TrailClients,
  TrailRef,
  type TrailState,
  trailClients,
} from './trails.js';

/** What `contain.cloudtrail-logging` changed: the trails it started, each of which was not logging. */
export const CloudTrailLoggingPreState = z.object({
  trails: z.array(TrailRef.extend({ stoppedAt: z.string().optional() })),
});
/** @see CloudTrailLoggingPreState */
export type CloudTrailLoggingPreState = z.infer<typeof CloudTrailLoggingPreState>;

/** Reads the trails back until each shows `isLogging === wanted`. */
async function verifyLogging(
  clients: TrailClients,
  trails: readonly TrailRef[],
  wanted: boolean,
  context: Pick<StepContext, 'incidentId' | 'signal'>,
): Promise<TrailState[]> {
  const readBack = await readBackUntilVerified(
    async () => {
      const observed = await Promise.all(trails.map((ref) => readTrail(clients, ref, context.incidentId)));
      const problems = observed
        .filter((trail) => trail.isLogging !== wanted)
        .map((trail) => `trail ${trail.arn} is ${trail.isLogging ? 'logging' : 'not logging'}`);
      return { observed, problems };
    },
    { signal: context.signal },
  );
  if (readBack.problems.length > 0) {
    throw new VerificationFailedError(
      `${wanted ? 'start' : 'stop'} of CloudTrail logging`,
      readBack.problems,
    );
  }
  return readBack.observed;
}

/**
 * `contain.cloudtrail-logging`: starts logging on the named trail, or on every trail of the region
 * that is not logging when the finding names none (Security Hub CloudTrail.1/.3 name the account),
 * and reads `IsLogging` back. Trails owned by another account (organization trails) are left to
 * that account. The result names who stopped logging, as the finding tells it.
 */
export function containCloudTrailLogging(deps: ActionDeps): StepHandler<'contain.cloudtrail-logging'> {
  return async ({ trail, stoppedBy }, context) => {
    const clients = trailClients(deps, context);
    const refs = await resolveTrails(clients, context.target.region, trail);
    const owned = refs.filter((ref) => ownerOf(ref) === context.target.accountId);
    const notOwned = refs.filter((ref) => !owned.includes(ref)).map((ref) => ref.arn);
    if (trail && owned.length === 0) {
      throw new ContainmentRefusedError(
        `trail ${trail} belongs to account ${ownerOf(refs[0] as TrailRef)} (an organization trail?): start it from that account`,
        { trail },
      );
    }
    if (owned.length === 0) {
      throw new ResourceNotFoundError(
        `no CloudTrail trail of account ${context.target.accountId} is visible in ${context.target.region}: create a multi-region trail (this remediation restarts trails, it does not create them)`,
      );
    }
    const states = await Promise.all(owned.map((ref) => readTrail(clients, ref, context.incidentId)));
    const toStart = states.filter((state) => !state.isLogging);
    const startedEarlier = states.filter((state) => state.isLogging && state.startedByUs);
    const alreadyLogging = states.filter((state) => state.isLogging && !state.startedByUs).map((s) => s.arn);
    const started = [...toStart, ...startedEarlier];
    const preState: CloudTrailLoggingPreState = {
      trails: started.map(({ arn, name, homeRegion, stoppedAt }) => ({
        arn,
        name,
        homeRegion,
        ...(stoppedAt ? { stoppedAt } : {}),
      })),
    };
    const changes = toStart.map((state) => `start logging on trail ${state.arn}`);
    const summary = { alreadyLogging, notOwned, ...(stoppedBy ? { stoppedBy } : {}) };
    if (context.dryRun) return succeeded({ dryRun: true, wouldChange: changes, ...summary }, { preState });

    for (const state of toStart) {
      const client = await clients(state.homeRegion);
      // The tag first: a run that dies after StartLogging still finds the trail as its own.
      await client.send(
        new AddTagsCommand({
          ResourceId: state.arn,
          TagsList: [{ Key: TRAIL_STARTED_BY_TAG, Value: context.incidentId }],
        }),
      );
      await client.send(new StartLoggingCommand({ Name: state.arn }));
    }
    const verified = await verifyLogging(clients, started, true, context);
    context.logger.info(
      { trails: started.map((s) => s.arn), stoppedBy: stoppedBy?.userName },
      'cloudtrail_logging_restarted',
    );
    return succeeded(
      {
        trails: started.map((s) => s.arn),
        stoppedAt: Object.fromEntries(started.flatMap((s) => (s.stoppedAt ? [[s.arn, s.stoppedAt]] : []))),
        changes,
        ...summary,
      },
      { preState, verified: { logging: verified.map((state) => state.arn) } },
    );
  };
}

/**
 * `rollback.cloudtrail-logging`: stops logging again on exactly the trails the containment started
 * (each was not logging before it), and on no other. Why a rollback re-disables audit logging at all:
 * a rollback restores exactly what the containment changed, and a trail can be stopped on purpose
 * (a planned migration to an organization trail). Because stopping a trail is itself what an
 * attacker does, the coordinator never runs this on its own: only an operator's rollback request
 * (`POST /incidents/:id/rollback`) dispatches it, and the incident records who asked.
 */
export function rollbackCloudTrailLogging(deps: ActionDeps): StepHandler<'rollback.cloudtrail-logging'> {
  return async (params, context) => {
    const { trails } = parsePreState(
      CloudTrailLoggingPreState,
      params.preState,
      'rollback.cloudtrail-logging',
    );
    const clients = trailClients(deps, context);
    const states = await Promise.all(trails.map((ref) => readTrail(clients, ref, context.incidentId)));
    const toStop = states.filter((state) => state.isLogging);
    const changes = [
      ...toStop.map((state) => `stop logging on trail ${state.arn}`),
      ...states.filter((s) => s.startedByUs).map((s) => `remove tag ${TRAIL_STARTED_BY_TAG} from ${s.arn}`),
    ];
    if (context.dryRun) return succeeded({ dryRun: true, wouldChange: changes });
    for (const state of toStop) {
      await (await clients(state.homeRegion)).send(new StopLoggingCommand({ Name: state.arn }));
    }
    await verifyLogging(clients, trails, false, context);
    for (const state of states.filter((s) => s.startedByUs)) {
      await (await clients(state.homeRegion)).send(
        new RemoveTagsCommand({ ResourceId: state.arn, TagsList: [{ Key: TRAIL_STARTED_BY_TAG }] }),
      );
    }
    context.logger.warn({ trails: trails.map((t) => t.arn) }, 'cloudtrail_logging_stopped_by_rollback');
    return succeeded(
      { trails: trails.map((t) => t.arn), changes },
      { verified: { notLogging: trails.map((t) => t.arn) } },
    );
  };
}
