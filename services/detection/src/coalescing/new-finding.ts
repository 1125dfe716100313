import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { CoalescingStoreSettings, RecordInput, RecordResult } from './coalescing-types.js';
import { av, epochSeconds, wonRace } from './dynamo-items.js';
import { newFindingItem, outboxEntry } from './finding-item.js';
import type { ResourceItemKey } from './item-keys.js';

/** The RESOURCE item naming `incidentId` as the open incident of its resource from now. */
export function claimResource(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  key: ResourceItemKey,
  incidentId: string,
  cutoff: string,
) {
  const now = input.receivedAt.toISOString();
  return {
    Put: {
      TableName: settings.tableName,
      Item: {
        ...key,
        incidentId: av.s(incidentId),
        openedAt: av.s(now),
        lastFindingAt: av.s(now),
        expiresAt: av.n(epochSeconds(input.receivedAt) + settings.windowSeconds),
      },
      // No incident, or its window closed before `cutoff`.
      ConditionExpression: 'attribute_not_exists(pk) OR lastFindingAt < :cutoff',
      ExpressionAttributeValues: { ':cutoff': av.s(cutoff) },
    },
  };
}

/**
 * Opens an incident for a finding id never recorded, in one transaction: put each RESOURCE of
 * `keys` (absent, or its window closed before `cutoff`) + put FINDING (absent). Undefined when
 * another replica decided first.
 */
export async function openIncident(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  keys: readonly ResourceItemKey[],
  cutoff: string,
): Promise<RecordResult | undefined> {
  const incidentId = settings.newIncidentId();
  const messageId = settings.newMessageId();
  const won = await wonRace(() =>
    settings.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...keys.map((key) => claimResource(settings, input, key, incidentId, cutoff)),
          {
            Put: {
              TableName: settings.tableName,
              Item: newFindingItem(input, incidentId, 'opened', messageId, settings.memorySeconds),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    ),
  );
  if (!won) return undefined;
  return {
    decision: 'opened',
    incidentId,
    outbox: [outboxEntry('first', 'opened', incidentId, messageId, input)],
  };
}

/** The RESOURCE items an attaching finding touches: those already on the incident, those it claims. */
export interface AttachKeys {
  /** Open on the incident within the window: their window is extended. */
  readonly joined: readonly ResourceItemKey[];
  /** Absent or closed (an attack sequence's other resources): they name the incident from now. */
  readonly claimed: readonly ResourceItemKey[];
}

/**
 * Attaches a finding id never recorded to an open incident, in one transaction: put FINDING (absent)
 * + update each joined RESOURCE (same incident, still within the window) + put each claimed RESOURCE
 * (absent or closed). Undefined when another replica decided first or the window closed meanwhile.
 */
export async function attachToIncident(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  incidentId: string,
  keys: AttachKeys,
  cutoff: string,
): Promise<RecordResult | undefined> {
  const messageId = settings.newMessageId();
  const won = await wonRace(() =>
    settings.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: settings.tableName,
              Item: newFindingItem(input, incidentId, 'attached', messageId, settings.memorySeconds),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...keys.joined.map((key) => ({
            Update: {
              TableName: settings.tableName,
              Key: key,
              UpdateExpression: 'SET lastFindingAt = :now, expiresAt = :expires',
              ConditionExpression: 'incidentId = :incident AND lastFindingAt >= :cutoff',
              ExpressionAttributeValues: {
                ':now': av.s(input.receivedAt.toISOString()),
                ':expires': av.n(epochSeconds(input.receivedAt) + settings.windowSeconds),
                ':incident': av.s(incidentId),
                ':cutoff': av.s(cutoff),
              },
            },
          })),
          ...keys.claimed.map((key) => claimResource(settings, input, key, incidentId, cutoff)),
        ],
      }),
    ),
  );
  if (!won) return undefined;
  return {
    decision: 'attached',
    incidentId,
    outbox: [outboxEntry('first', 'attached', incidentId, messageId, input)],
  };
}
