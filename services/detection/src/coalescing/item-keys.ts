import { type Finding, incidentTableKeys as keys, resourceKey } from '@ir/contracts';
import { av } from './dynamo-items.js';

/**
 * At most this many resources of one attack sequence are keyed: one transaction writes the FINDING
 * item and a RESOURCE item per key, and DynamoDB takes at most 100 items per transaction. A
 * sequence naming more keeps its first ones (GuardDuty lists the signals' resources most relevant first).
 */
export const MAX_SEQUENCE_KEYS = 50;

/** A dry-run finding's keys carry a `DRYRUN#` prefix, so it never meets a live incident's items. */
function scoped(pk: string, dryRun: boolean | undefined): string {
  return dryRun ? `DRYRUN#${pk}` : pk;
}

/** Key of the FINDING item that remembers a finding id: `FINDING#<source>#<account>#<id>`. */
export function findingKey(finding: Finding, dryRun: boolean | undefined) {
  return {
    pk: av.s(scoped(keys.findingPk(finding.source, finding.accountId, finding.id), dryRun)),
    sk: av.s(keys.findingSk),
  };
}

/** A RESOURCE item's key: `RESOURCE#<account>#<resourceKey>` / `OPEN`. */
export type ResourceItemKey = ReturnType<typeof resourceItemKey>;

/**
 * Key of the RESOURCE item holding the open incident of the finding's first resource:
 * `RESOURCE#<account>#<resourceKey>` / `OPEN`.
 */
export function resourceItemKey(finding: Finding, dryRun: boolean | undefined) {
  const primary = finding.resources[0];
  if (!primary) throw new Error(`finding ${finding.id} names no resource`);
  return resourceItemKeyOf(finding.accountId, resourceKey(primary), dryRun);
}

function resourceItemKeyOf(accountId: string, key: string, dryRun: boolean | undefined) {
  return { pk: av.s(scoped(keys.resourcePk(accountId, key), dryRun)), sk: av.s(keys.resourceSk) };
}

/**
 * The RESOURCE items a finding coalesces on, first resource first. A finding about one resource (with
 * its context: the key of an IAM finding, the node of a pod) coalesces on its first resource, as
 * always. An attack sequence (`sequence`) spans the resources of all its signals, so it coalesces on
 * every one of them: it joins an incident already open about any of them, and a later finding about
 * any of them joins the sequence's incident.
 */
export function coalescingKeys(finding: Finding, dryRun: boolean | undefined): ResourceItemKey[] {
  if (!finding.sequence) return [resourceItemKey(finding, dryRun)];
  const distinct = [...new Set(finding.resources.map(resourceKey))].slice(0, MAX_SEQUENCE_KEYS);
  if (distinct.length === 0) throw new Error(`finding ${finding.id} names no resource`);
  return distinct.map((key) => resourceItemKeyOf(finding.accountId, key, dryRun));
}
