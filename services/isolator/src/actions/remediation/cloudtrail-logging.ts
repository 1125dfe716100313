import { AddTagsCommand, RemoveTagsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import {
  ContainmentRefusedError,
  OperatorActionRequiredError,
  ResourceNotFoundError,
  VerificationFailedError,
} from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import { stopLoggingCommand } from './operator-commands.js';
import {
  ownerOf,
  readTrail,
  resolveTrails,
  TRAIL_STARTED_BY_RECORD,
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

/** Reads the trails back until each is logging. */
async function verifyLogging(
  clients: TrailClients,
  trails: readonly TrailRef[],
  context: Pick<StepContext, 'incidentId' | 'signal'>,
): Promise<TrailState[]> {
  const readBack = await readBackUntilVerified(
    async () => {
      const observed = await Promise.all(trails.map((ref) => readTrail(clients, ref, context.incidentId)));
      const problems = observed
        .filter((trail) => !trail.isLogging)
        .map((trail) => `trail ${trail.arn} is not logging`);
      return { observed, problems };
    },
    { signal: context.signal },
  );
  if (readBack.problems.length > 0) {
    throw new VerificationFailedError('start of CloudTrail logging', readBack.problems);
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
      // The record first: a run that dies after StartLogging still finds the trail as its own.
      await client.send(
        new AddTagsCommand({
          ResourceId: state.arn,
          TagsList: [{ Key: TRAIL_STARTED_BY_RECORD, Value: context.incidentId }],
        }),
      );
      await client.send(new StartLoggingCommand({ Name: state.arn }));
    }
    const verified = await verifyLogging(clients, started, context);
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
 * `rollback.cloudtrail-logging`: verifies that the trails the containment started are not logging,
 * and never stops one itself. Stopping a trail is what an attacker does, so it is an operator's
 * action: the isolator's roles hold no `cloudtrail:StopLogging` at all. Why a rollback exists: a trail
 * can be stopped on purpose (a planned move to an organization trail), and the incident must end
 * recording that the containment was undone. The coordinator dispatches it only on an operator's
 * rollback request. Every trail not logging: succeeded, and the isolator's record tag removed.
 * Otherwise nothing changes and the step fails (`OperatorActionRequiredError`, not retried) with the
 * AWS CLI command that stops each trail still logging; rolling back again verifies.
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
    const logging = states.filter((state) => state.isLogging);
    if (logging.length > 0) {
      const commands = logging.map((state) => stopLoggingCommand(state.homeRegion, state.arn));
      throw new OperatorActionRequiredError(
        `${logging.map((state) => `trail ${state.arn}`).join(', ')} still ${logging.length === 1 ? 'logs' : 'log'}. ` +
          "The isolator does not stop a trail's logging. If stopping it is intended, an operator with rights " +
          `in account ${context.target.accountId} runs:\n${commands.join('\n')}\n` +
          `then requests the rollback again (irctl rollback ${context.incidentId}), which verifies it and ` +
          "removes the isolator's record tag.",
        commands,
        { trails: logging.map((state) => state.arn) },
      );
    }

    const recorded = states.filter((state) => state.startedByUs);
    const changes = recorded.map((state) => `remove record tag ${TRAIL_STARTED_BY_RECORD} from ${state.arn}`);
    const arns = trails.map((trail) => trail.arn);
    if (context.dryRun) return succeeded({ dryRun: true, wouldChange: changes, trails: arns });
    for (const state of recorded) {
      await (await clients(state.homeRegion)).send(
        new RemoveTagsCommand({ ResourceId: state.arn, TagsList: [{ Key: TRAIL_STARTED_BY_RECORD }] }),
      );
    }
    context.logger.warn({ trails: arns }, 'cloudtrail_logging_stop_verified');
    return succeeded({ trails: arns, changes }, { verified: { notLogging: arns } });
  };
}
