import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { RecordInput, RecordResult } from './coalescing-types.js';
import { CoalescingContentionError } from '../errors.js';
import type { CoalescingStore, CoalescingStoreSettings } from './coalescing-types.js';
import { av, readString, wonRace } from './dynamo-items.js';
import { coalescingKeys, findingKey, type ResourceItemKey } from './item-keys.js';
import { attachToIncident, openIncident } from './new-finding.js';
import { recordNewerVersion } from './re-emission.js';

export type {
  CoalescingDecision,
  CoalescingStore,
  CoalescingStoreSettings,
  IncidentMessageKind,
  OutboxEntry,
  RecordInput,
  RecordResult,
} from './coalescing-types.js';

/**
 * Coalescing on the shared table layout (contracts' `incidentTableKeys`):
 * - `FINDING#<source>#<account>#<id>` remembers each finding id, its incident and version
 *   (`updatedAt`, `count`); a re-emission with a newer version updates it and becomes
 *   `incident.updated (re-emitted)`; an older or equal one is a duplicate.
 * - `RESOURCE#<account>#<resourceKey>` / `OPEN` holds the open incident of a resource; a new finding
 *   attaches while `lastFindingAt` is within the window, else opens one. A finding coalesces on its
 *   first resource; an attack sequence on each of its resources (`coalescingKeys`): it attaches to
 *   the incident of the first of them that has one open, and claims the others that have none.
 * Each decision is one conditional write (or transaction) over what was read; losing a race means
 * another replica decided first, so the store reads again and follows that decision.
 */
export function createCoalescingStore(settings: CoalescingStoreSettings): CoalescingStore {
  const { dynamodb, tableName } = settings;
  const maxAttempts = settings.maxAttempts ?? 6;

  return {
    async record(input) {
      const windowMs = settings.windowSeconds * 1000;
      const cutoff = new Date(input.receivedAt.getTime() - windowMs).toISOString();
      for (let round = 1; round <= maxAttempts; round += 1) {
        const recorded = await recordNewerVersion(settings, input, cutoff);
        if (recorded !== 'absent') return recorded;
        // Never recorded when the write was tried. Another replica may record it meanwhile: the
        // finding item's `attribute_not_exists` condition below then fails, and the next round
        // takes the path above.
        const result = await recordNew(settings, input, cutoff);
        if (result) return result;
      }
      throw new CoalescingContentionError(
        `finding ${input.finding.id} could not be coalesced after ${maxAttempts} rounds of concurrent writes`,
        { findingId: input.finding.id, rounds: maxAttempts },
      );
    },

    async markPublished(finding, outboxEntry, dryRun) {
      const prefix = outboxEntry.slot;
      await wonRace(() =>
        dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: findingKey(finding, dryRun),
            UpdateExpression: `SET ${prefix}Published = :true`,
            ConditionExpression: `${prefix}MessageId = :message`,
            ExpressionAttributeValues: { ':true': av.bool(true), ':message': av.s(outboxEntry.messageId) },
          }),
        ),
      );
    },
  };
}

/**
 * The decision for a finding id never recorded: attach to the open incident of the first of its
 * coalescing resources that has one, else open an incident. An attack sequence attaching also claims
 * its resources that have no open incident; one whose resource already belongs to another open
 * incident leaves that resource there (the two incidents then share it: each contains it under its
 * own steps, and the sequence's incident lists it). Undefined when another replica decided first.
 */
async function recordNew(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  cutoff: string,
): Promise<RecordResult | undefined> {
  const keys = coalescingKeys(input.finding, input.dryRun);
  const states = await Promise.all(keys.map((key) => readResource(settings, key, cutoff)));
  const open = states.find((state) => state.openIncidentId !== undefined);
  if (!open?.openIncidentId) return openIncident(settings, input, keys, cutoff);
  const incidentId = open.openIncidentId;
  return attachToIncident(
    settings,
    input,
    incidentId,
    {
      joined: states.filter((state) => state.openIncidentId === incidentId).map((state) => state.key),
      claimed: states.filter((state) => state.openIncidentId === undefined).map((state) => state.key),
    },
    cutoff,
  );
}

interface ResourceState {
  readonly key: ResourceItemKey;
  /** The incident open on the resource within the window, if any. */
  readonly openIncidentId: string | undefined;
}

async function readResource(
  settings: CoalescingStoreSettings,
  key: ResourceItemKey,
  cutoff: string,
): Promise<ResourceState> {
  const item = (
    await settings.dynamodb.send(
      new GetItemCommand({ TableName: settings.tableName, Key: key, ConsistentRead: true }),
    )
  ).Item;
  const incidentId = item ? readString(item, 'incidentId') : undefined;
  const lastFindingAt = item ? readString(item, 'lastFindingAt') : undefined;
  const open = incidentId !== undefined && lastFindingAt !== undefined && lastFindingAt >= cutoff;
  return { key, openIncidentId: open ? incidentId : undefined };
}
