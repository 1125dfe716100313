import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { CoalescingStoreSettings, RecordInput, RecordResult } from './coalescing-types.js';
import { av, epochSeconds, wonRace } from './dynamo-items.js';
import { newFindingItem, outboxEntry } from './finding-item.js';
import { resourceItemKey } from './item-keys.js';

/**
 * Opens an incident for a finding id never recorded, in one transaction: put RESOURCE (absent, or its
 * window closed before `cutoff`) + put FINDING (absent). Undefined when another replica decided first.
 */
export async function openIncident(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  cutoff: string,
): Promise<RecordResult | undefined> {
  const incidentId = settings.newIncidentId();
  const messageId = settings.newMessageId();
  const now = input.receivedAt.toISOString();
  const won = await wonRace(() =>
    settings.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: settings.tableName,
              Item: {
                ...resourceItemKey(input.finding, input.dryRun),
                incidentId: av.s(incidentId),
                openedAt: av.s(now),
                lastFindingAt: av.s(now),
                expiresAt: av.n(epochSeconds(input.receivedAt) + settings.windowSeconds),
              },
              ConditionExpression: 'attribute_not_exists(pk) OR lastFindingAt < :cutoff',
              ExpressionAttributeValues: { ':cutoff': av.s(cutoff) },
            },
          },
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

/**
 * Attaches a finding id never recorded to its resource's open incident, in one transaction: put
 * FINDING (absent) + update RESOURCE (same incident, still within the window). Undefined when another
 * replica decided first or the window closed meanwhile.
 */
export async function attachToIncident(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  incidentId: string,
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
          {
            Update: {
              TableName: settings.tableName,
              Key: resourceItemKey(input.finding, input.dryRun),
              UpdateExpression: 'SET lastFindingAt = :now, expiresAt = :expires',
              ConditionExpression: 'incidentId = :incident AND lastFindingAt >= :cutoff',
              ExpressionAttributeValues: {
                ':now': av.s(input.receivedAt.toISOString()),
                ':expires': av.n(epochSeconds(input.receivedAt) + settings.windowSeconds),
                ':incident': av.s(incidentId),
                ':cutoff': av.s(cutoff),
              },
            },
          },
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
