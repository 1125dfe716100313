import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CoalescingContentionError } from '../errors.js';
import type { CoalescingStore, CoalescingStoreSettings } from './coalescing-types.js';
import { av, readString, wonRace } from './dynamo-items.js';
import { findingKey, resourceItemKey } from './item-keys.js';
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
 * - `RESOURCE#<account>#<resourceKey>` / `OPEN` holds the open incident of the finding's first
 *   resource; a new finding attaches while `lastFindingAt` is within the window, else opens one.
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
        const recorded = await recordNewerVersion(settings, input);
        if (recorded !== 'absent') return recorded;
        // Never recorded when the write was tried. Another replica may record it meanwhile: the
        // finding item's `attribute_not_exists` condition below then fails, and the next round
        // takes the path above.
        const resource = (
          await dynamodb.send(
            new GetItemCommand({
              TableName: tableName,
              Key: resourceItemKey(input.finding, input.dryRun),
              ConsistentRead: true,
            }),
          )
        ).Item;
        const openIncidentId = resource ? readString(resource, 'incidentId') : undefined;
        const lastFindingAt = resource ? readString(resource, 'lastFindingAt') : undefined;
        const result =
          openIncidentId && lastFindingAt !== undefined && lastFindingAt >= cutoff
            ? await attachToIncident(settings, input, openIncidentId, cutoff)
            : await openIncident(settings, input, cutoff);
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
