import { type Finding, incidentTableKeys as keys, resourceKey } from '@ir/contracts';
import { av } from './dynamo-items.js';

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

/**
 * Key of the RESOURCE item holding the open incident of the finding's first resource:
 * `RESOURCE#<account>#<resourceKey>` / `OPEN`.
 */
export function resourceItemKey(finding: Finding, dryRun: boolean | undefined) {
  const primary = finding.resources[0];
  if (!primary) throw new Error(`finding ${finding.id} names no resource`);
  return {
    pk: av.s(scoped(keys.resourcePk(finding.accountId, resourceKey(primary)), dryRun)),
    sk: av.s(keys.resourceSk),
  };
}
