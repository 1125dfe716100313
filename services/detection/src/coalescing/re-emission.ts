import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CoalescingStoreSettings, OutboxEntry, RecordInput, RecordResult } from './coalescing-types.js';
import { av, epochSeconds, type Item, isLostRace, wonRace } from './dynamo-items.js';
import { compareVersions, outboxEntry, storedFinding } from './finding-item.js';
import { coalescingKeys, findingKey } from './item-keys.js';
import { claimResource } from './new-finding.js';

/**
 * The hot path of a storm: a newer version of a finding already recorded, in ONE conditional write
 * and no read. The update applies only if what is stored is an older version (the condition is the
 * source of truth, so replicas racing on one finding id apply each version at most once, in order);
 * the item as it was comes back on success and on failure alike, and the rest is decided from it.
 * `absent`: the finding id was never recorded (the caller takes the new-finding path). `cutoff` is
 * the start of the coalescing window, as the store computed it for this delivery.
 */
export async function recordNewerVersion(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  cutoff: string,
): Promise<RecordResult | 'absent'> {
  const messageId = settings.newMessageId();
  let old: Item | undefined;
  try {
    const output = await settings.dynamodb.send(
      new UpdateItemCommand({
        TableName: settings.tableName,
        Key: findingKey(input.finding, input.dryRun),
        UpdateExpression:
          'SET updatedAt = :updated, #count = :count, lastMessageId = :message, lastPublished = :false, lastReceivedAt = :received, expiresAt = :expires',
        ConditionExpression:
          'attribute_exists(pk) AND (updatedAt < :updated OR (updatedAt = :updated AND #count < :count))',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':updated': av.s(input.finding.updatedAt),
          ':count': av.n(input.finding.count),
          ':message': av.s(messageId),
          ':false': av.bool(false),
          ':received': av.s(input.receivedAt.toISOString()),
          ':expires': av.n(epochSeconds(input.receivedAt) + settings.memorySeconds),
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    old = output.Attributes;
  } catch (error: unknown) {
    if (!isLostRace(error)) throw error;
    const item = (error as { Item?: Item }).Item;
    // Not newer than what is stored (or not stored at all): decided from the item, nothing written.
    return item ? notNewer(input, item) : 'absent';
  }
  if (!old) throw new Error(`finding ${input.finding.id}: the update returned no previous item`);
  const stored = storedFinding(old);
  const previous = Date.parse(stored.last?.entry.receivedAt ?? stored.first.receivedAt);
  if (input.finding.sequence || !sameTouchPeriod(settings, previous, input.receivedAt.getTime())) {
    await touchResource(settings, input, stored.incidentId, cutoff);
  }
  return {
    decision: 're-emitted',
    incidentId: stored.incidentId,
    outbox: [
      ...(stored.firstPublished ? [] : [stored.first]),
      outboxEntry('last', 're-emitted', stored.incidentId, messageId, input),
    ],
  };
}

/**
 * A version already recorded (`duplicate`), which republishes what is still unsent, or older
 * (`stale`), which sends nothing. Why a stale one republishes nothing: a message is built from the
 * delivery's own finding, so republishing an unsent entry from an older version sent that entry's id
 * with an older body than its writer was sending (seen in the storm test with two replicas: the
 * coordinator, deduplicating by id, could keep the older one, and later re-emissions of the newest
 * version are stale, so nothing corrected it). An entry whose writer died is republished by the
 * redelivery of the writer's own message (a `duplicate`), or by the next newer version.
 */
function notNewer(input: RecordInput, item: Item): RecordResult {
  const stored = storedFinding(item);
  if (compareVersions(input.finding, stored) < 0) {
    return { decision: 'stale', incidentId: stored.incidentId, outbox: [] };
  }
  const outbox: OutboxEntry[] = stored.firstPublished ? [] : [stored.first];
  if (stored.last && !stored.last.published) outbox.push(stored.last.entry);
  return { decision: 'duplicate', incidentId: stored.incidentId, outbox };
}

/**
 * Whether the previous version of a finding was received in the same touch period as this one. The
 * first version received in a period moves the resource's `lastFindingAt` (its predecessor came in
 * an earlier period); the others skip that write, one of the two a storm of re-emissions costs in
 * detection. `lastFindingAt` then trails by less than a period: a minute, or a sixtieth of the
 * coalescing window when that is shorter, so the window is at most that much shorter.
 */
export function sameTouchPeriod(settings: CoalescingStoreSettings, previous: number, now: number): boolean {
  const period = Math.min(60_000, (settings.windowSeconds * 1000) / 60);
  return Number.isFinite(previous) && Math.floor(previous / period) === Math.floor(now / period);
}

/**
 * Keeps the resources' window open while the same finding keeps being re-emitted. A re-emitted attack
 * sequence may name resources its earlier versions did not (GuardDuty adds signals to it): those with
 * no open incident are claimed for its incident, as when it was first recorded.
 */
async function touchResource(
  settings: CoalescingStoreSettings,
  input: RecordInput,
  incidentId: string,
  cutoff: string,
): Promise<void> {
  const now = input.receivedAt.toISOString();
  const expires = av.n(epochSeconds(input.receivedAt) + settings.windowSeconds);
  for (const key of coalescingKeys(input.finding, input.dryRun)) {
    const touched = await wonRace(() =>
      settings.dynamodb.send(
        new UpdateItemCommand({
          TableName: settings.tableName,
          Key: key,
          UpdateExpression: 'SET lastFindingAt = :now, expiresAt = :expires',
          ConditionExpression: 'incidentId = :incident AND lastFindingAt < :now',
          ExpressionAttributeValues: {
            ':now': av.s(now),
            ':expires': expires,
            ':incident': av.s(incidentId),
          },
        }),
      ),
    );
    if (touched || !input.finding.sequence) continue;
    await wonRace(() =>
      settings.dynamodb.send(new PutItemCommand(claimResource(settings, input, key, incidentId, cutoff).Put)),
    );
  }
}
