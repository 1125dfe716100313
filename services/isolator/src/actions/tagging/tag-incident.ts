import { TaggableResource } from '@ir/contracts';
import { type StepHandler, skipped, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { IrTag } from '../../aws/tags.js';
import { VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type TagAccess, tagAccessOf } from './tag-access.js';

/** The two tags `contain.tag-incident` writes; no other key is ever written or removed by it. */
export const IncidentTag = {
  incidentId: IrTag.incidentId,
  severity: 'ir:severity',
} as const;

/** What the two keys held before the first run (`null`: absent), for the rollback. */
export const TagIncidentPreState = z.object({
  resource: TaggableResource,
  previous: z.object({ incidentId: z.string().nullable(), severity: z.string().nullable() }),
});
/** @see TagIncidentPreState */
export type TagIncidentPreState = z.infer<typeof TagIncidentPreState>;

/** Keys whose value in `observed` is not the wanted one (`null`: must be absent). */
function differences(
  observed: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string | null>>,
): string[] {
  return Object.entries(wanted)
    .filter(([key, value]) => (observed[key] ?? null) !== value)
    .map(([key, value]) =>
      value === null
        ? `${key} is still ${observed[key]}`
        : `${key} is ${observed[key] ?? 'absent'}, not ${value}`,
    );
}

function readBack(access: TagAccess, wanted: Record<string, string | null>, signal: AbortSignal) {
  return readBackUntilVerified(
    async () => {
      const tags = await access.read();
      const observed = Object.fromEntries(Object.keys(wanted).map((key) => [key, tags[key] ?? null]));
      return { observed, problems: differences(tags, wanted) };
    },
    { signal, attempts: 4 },
  );
}

/**
 * Tags the resource with `ir:incident-id` and `ir:severity` and reads them back. Not a containment
 * (contracts `markingActions`): it changes nothing about what the resource can do.
 *
 * - A kind the isolator cannot tag (an `other` resource, a service-linked role) is `skipped` with the
 *   reason, so the step never shows as done.
 * - A resource already carrying another incident's `ir:incident-id` is `skipped` too, naming that
 *   incident: a containment uses the key to find its own records (TRAPS 24), so overwriting it would
 *   break that incident's rollback, and a person should know the resource is in two incidents.
 * - Repeats converge (TRAPS 24): when the key already holds this incident's id, both keys are this
 *   incident's own (a first run whose answer was lost, or a containment of this incident), so the
 *   pre-state records them as absent and the tags are only corrected.
 */
export function containTagIncident(): StepHandler<'contain.tag-incident'> {
  return async ({ resource, severityBand }, context) => {
    const access = await tagAccessOf(resource, (clientClass) => context.client(clientClass));
    if ('notTaggable' in access) return skipped(access.notTaggable, { resource });
    const current = await access.read();
    const owner = current[IncidentTag.incidentId];
    if (owner !== undefined && owner !== context.incidentId) {
      return skipped(
        `${access.where} already carries ${IncidentTag.incidentId}=${owner}; it is left as it is, because that incident's containment and rollback read it`,
        { resource, otherIncidentId: owner },
      );
    }
    const ours = owner === context.incidentId;
    const preState: TagIncidentPreState = {
      resource,
      previous: { incidentId: null, severity: ours ? null : (current[IncidentTag.severity] ?? null) },
    };
    const wanted = { [IncidentTag.incidentId]: context.incidentId, [IncidentTag.severity]: severityBand };
    const pending = differences(current, wanted).length > 0;
    const changes = pending
      ? [
          `tag ${access.where} with ${IncidentTag.incidentId}=${context.incidentId} and ${IncidentTag.severity}=${severityBand}`,
        ]
      : [];

    if (context.dryRun) {
      if (pending) await access.write(wanted, true);
      return succeeded(
        {
          resource: access.where,
          tagged: access.tagged,
          alreadyTagged: !pending,
          dryRun: true,
          wouldChange: changes,
        },
        { preState },
      );
    }
    if (pending) await access.write(wanted, false);
    const verified = await readBack(access, wanted, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`incident tags on ${access.where}`, verified.problems, { resource });
    }
    context.logger.info({ resource: access.where, alreadyTagged: !pending }, 'resource_tagged');
    return succeeded(
      { resource: access.where, tagged: access.tagged, tags: wanted, alreadyTagged: !pending, changes },
      { preState, verified: { tags: verified.observed } },
    );
  };
}

/**
 * Puts the two keys back as they were before the first run, and only while they are still this
 * incident's (`ir:incident-id` is its id): a tag someone changed since is theirs now. `ir:incident-id`
 * stays while `ir:status` shows a containment of this incident holding the resource: that
 * containment's own rollback removes it. Twice is the same.
 */
export function rollbackTagIncident(): StepHandler<'rollback.tag-incident'> {
  return async (params, context) => {
    const { resource, previous } = parsePreState(
      TagIncidentPreState,
      params.preState,
      'rollback.tag-incident',
    );
    const access = await tagAccessOf(resource, (clientClass) => context.client(clientClass));
    if ('notTaggable' in access) return skipped(access.notTaggable, { resource });
    const current = await access.read();
    const wanted: Record<string, string | null> = {};
    if (current[IncidentTag.incidentId] === context.incidentId) {
      wanted[IncidentTag.severity] = previous.severity;
      if (current[IrTag.status] === undefined) wanted[IncidentTag.incidentId] = previous.incidentId;
    }
    const toRemove = Object.keys(wanted).filter((key) => wanted[key] === null && current[key] !== undefined);
    const toRestore = Object.fromEntries(
      Object.entries(wanted).filter(
        (entry): entry is [string, string] => entry[1] !== null && current[entry[0]] !== entry[1],
      ),
    );
    const changes = [
      ...(toRemove.length > 0 ? [`remove ${toRemove.join(', ')} from ${access.where}`] : []),
      ...Object.entries(toRestore).map(([key, value]) => `restore ${key}=${value} on ${access.where}`),
    ];

    if (context.dryRun) {
      return succeeded({ resource: access.where, dryRun: true, wouldChange: changes });
    }
    await access.remove(toRemove);
    if (Object.keys(toRestore).length > 0) await access.write(toRestore, false);
    const verified = await readBack(access, wanted, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`restore of the tags on ${access.where}`, verified.problems, {
        resource,
      });
    }
    context.logger.info({ resource: access.where }, 'resource_tags_restored');
    return succeeded({ resource: access.where, changes }, { verified: { tags: verified.observed } });
  };
}
