import {
  type DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Finding, incidentTableKeys as keys, resourceKey } from '@ir/contracts';
import { CoalescingContentionError } from '../errors.js';
import { av, epochSeconds, type Item, isLostRace, readBool, readNumber, readString } from './dynamo-items.js';

/** Why a message about an incident is sent. */
export type IncidentMessageKind = 'opened' | 'attached' | 're-emitted';

/**
 * A message the store has committed to: its id is written with the decision, so a delivery that
 * dies before publishing is published by the next one with the same id (consumers dedupe by id).
 */
export interface OutboxEntry {
  /** `first`: the message that opened the incident or attached the finding; `last`: the latest re-emission. */
  readonly slot: 'first' | 'last';
  readonly kind: IncidentMessageKind;
  readonly incidentId: string;
  readonly messageId: string;
  readonly receivedAt: string;
  readonly suppressionUnevaluated: boolean;
}

/**
 * What this delivery decided. `stale`: an older version of a recorded finding (it arrived out of
 * order; coalesced, nothing to send). `duplicate`: exactly the recorded version again, i.e. a
 * redelivery (SQS and EventBridge deliver at least once), not a new finding.
 */
export type CoalescingDecision = IncidentMessageKind | 'stale' | 'duplicate';

/** The decision for one finding, and the messages to publish (possibly left over from an earlier delivery). */
export interface RecordResult {
  readonly decision: CoalescingDecision;
  readonly incidentId: string;
  readonly outbox: readonly OutboxEntry[];
}

/** What the store needs to decide about one finding. */
export interface RecordInput {
  readonly finding: Finding;
  readonly receivedAt: Date;
  readonly suppressionUnevaluated: boolean;
  /**
   * A dry-run submission coalesces only with other dry-run findings (its keys carry a `DRYRUN#`
   * prefix): it must never update, or be merged into, a live incident, nor the reverse.
   */
  readonly dryRun?: boolean;
}

/** Settings of {@link createCoalescingStore}. */
export interface CoalescingStoreSettings {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly windowSeconds: number;
  readonly memorySeconds: number;
  readonly newIncidentId: () => string;
  readonly newMessageId: () => string;
  /** Read-decide-write rounds before giving up with a retryable error. */
  readonly maxAttempts?: number;
}

/** Coalescing decided by conditional writes in the incident table, so replicas agree without talking. */
export interface CoalescingStore {
  record(input: RecordInput): Promise<RecordResult>;
  /** Marks an outbox entry sent; a lost race (a newer entry replaced it) is not an error. */
  markPublished(finding: Finding, entry: OutboxEntry, dryRun?: boolean): Promise<void>;
}

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

  const getItem = async (pk: string, sk: string): Promise<Item | undefined> =>
    (
      await dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: av.s(pk), sk: av.s(sk) },
          ConsistentRead: true,
        }),
      )
    ).Item;

  const scoped = (pk: string, dryRun: boolean | undefined) => (dryRun ? `DRYRUN#${pk}` : pk);
  const findingKey = (finding: Finding, dryRun: boolean | undefined) => ({
    pk: av.s(scoped(keys.findingPk(finding.source, finding.accountId, finding.id), dryRun)),
    sk: av.s(keys.findingSk),
  });
  const resourceItemKey = (finding: Finding, dryRun: boolean | undefined) => {
    const primary = finding.resources[0];
    if (!primary) throw new Error(`finding ${finding.id} names no resource`);
    return {
      pk: av.s(scoped(keys.resourcePk(finding.accountId, resourceKey(primary)), dryRun)),
      sk: av.s(keys.resourceSk),
    };
  };

  const newFindingItem = (
    input: RecordInput,
    incidentId: string,
    kind: 'opened' | 'attached',
    messageId: string,
  ): Item => ({
    ...findingKey(input.finding, input.dryRun),
    incidentId: av.s(incidentId),
    updatedAt: av.s(input.finding.updatedAt),
    count: av.n(input.finding.count),
    firstKind: av.s(kind),
    firstMessageId: av.s(messageId),
    firstPublished: av.bool(false),
    firstReceivedAt: av.s(input.receivedAt.toISOString()),
    suppressionUnevaluated: av.bool(input.suppressionUnevaluated),
    expiresAt: av.n(epochSeconds(input.receivedAt) + settings.memorySeconds),
  });

  const attempt = async <T>(write: () => Promise<T>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error: unknown) {
      if (isLostRace(error)) return false;
      throw error;
    }
  };

  const open = async (input: RecordInput, cutoff: string): Promise<RecordResult | undefined> => {
    const incidentId = settings.newIncidentId();
    const messageId = settings.newMessageId();
    const now = input.receivedAt.toISOString();
    const won = await attempt(() =>
      dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
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
                TableName: tableName,
                Item: newFindingItem(input, incidentId, 'opened', messageId),
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
      outbox: [entry('first', 'opened', incidentId, messageId, input)],
    };
  };

  const attach = async (
    input: RecordInput,
    incidentId: string,
    cutoff: string,
  ): Promise<RecordResult | undefined> => {
    const messageId = settings.newMessageId();
    const won = await attempt(() =>
      dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: newFindingItem(input, incidentId, 'attached', messageId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName,
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
      outbox: [entry('first', 'attached', incidentId, messageId, input)],
    };
  };

  /** Keeps the resource's window open while the same finding keeps being re-emitted. */
  const touchResource = async (input: RecordInput, incidentId: string) => {
    const now = input.receivedAt.toISOString();
    await attempt(() =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: resourceItemKey(input.finding, input.dryRun),
          UpdateExpression: 'SET lastFindingAt = :now, expiresAt = :expires',
          ConditionExpression: 'incidentId = :incident AND lastFindingAt < :now',
          ExpressionAttributeValues: {
            ':now': av.s(now),
            ':expires': av.n(epochSeconds(input.receivedAt) + settings.windowSeconds),
            ':incident': av.s(incidentId),
          },
        }),
      ),
    );
  };

  /**
   * The hot path of a storm: a newer version of a finding already recorded, in ONE conditional write
   * and no read. The update applies only if what is stored is an older version (the condition is the
   * source of truth, so replicas racing on one finding id apply each version at most once, in order);
   * the item as it was comes back on success and on failure alike, and the rest is decided from it.
   * `absent`: the finding id was never recorded (the caller takes the new-finding path).
   */
  const recordNewerVersion = async (input: RecordInput): Promise<RecordResult | 'absent'> => {
    const messageId = settings.newMessageId();
    let old: Item | undefined;
    try {
      const output = await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
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
    await touchResource(input, stored.incidentId);
    return {
      decision: 're-emitted',
      incidentId: stored.incidentId,
      outbox: [
        ...(stored.firstPublished ? [] : [stored.first]),
        entry('last', 're-emitted', stored.incidentId, messageId, input),
      ],
    };
  };

  /** A version already recorded (`duplicate`) or older (`stale`); republishes what is still unsent. */
  const notNewer = (input: RecordInput, item: Item): RecordResult => {
    const stored = storedFinding(item);
    const outbox: OutboxEntry[] = stored.firstPublished ? [] : [stored.first];
    if (compareVersions(input.finding, stored) < 0) {
      return { decision: 'stale', incidentId: stored.incidentId, outbox };
    }
    if (stored.last && !stored.last.published) outbox.push(stored.last.entry);
    return { decision: 'duplicate', incidentId: stored.incidentId, outbox };
  };

  return {
    async record(input) {
      const windowMs = settings.windowSeconds * 1000;
      const cutoff = new Date(input.receivedAt.getTime() - windowMs).toISOString();
      for (let round = 1; round <= maxAttempts; round += 1) {
        const recorded = await recordNewerVersion(input);
        if (recorded !== 'absent') return recorded;
        // Never recorded when the write was tried. Another replica may record it meanwhile: the
        // finding item's `attribute_not_exists` condition below then fails, and the next round
        // takes the path above.
        const key = resourceItemKey(input.finding, input.dryRun);
        const resource = await getItem(key.pk.S ?? '', keys.resourceSk);
        const openIncident = resource ? readString(resource, 'incidentId') : undefined;
        const lastFindingAt = resource ? readString(resource, 'lastFindingAt') : undefined;
        const result =
          openIncident && lastFindingAt !== undefined && lastFindingAt >= cutoff
            ? await attach(input, openIncident, cutoff)
            : await open(input, cutoff);
        if (result) return result;
      }
      throw new CoalescingContentionError(
        `finding ${input.finding.id} could not be coalesced after ${maxAttempts} rounds of concurrent writes`,
        { findingId: input.finding.id, rounds: maxAttempts },
      );
    },

    async markPublished(finding, outboxEntry, dryRun) {
      const prefix = outboxEntry.slot;
      await attempt(() =>
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

function entry(
  slot: OutboxEntry['slot'],
  kind: IncidentMessageKind,
  incidentId: string,
  messageId: string,
  input: RecordInput,
): OutboxEntry {
  return {
    slot,
    kind,
    incidentId,
    messageId,
    receivedAt: input.receivedAt.toISOString(),
    suppressionUnevaluated: kind === 'opened' && input.suppressionUnevaluated,
  };
}

interface StoredFinding {
  readonly incidentId: string;
  readonly updatedAt: string;
  readonly count: number;
  readonly first: OutboxEntry;
  readonly firstPublished: boolean;
  readonly last?: { readonly entry: OutboxEntry; readonly published: boolean } | undefined;
}

function storedFinding(item: Item): StoredFinding {
  const incidentId = required(item, 'incidentId');
  const firstKind = readString(item, 'firstKind') === 'attached' ? 'attached' : 'opened';
  const lastMessageId = readString(item, 'lastMessageId');
  return {
    incidentId,
    updatedAt: required(item, 'updatedAt'),
    count: readNumber(item, 'count') ?? 1,
    first: {
      slot: 'first',
      kind: firstKind,
      incidentId,
      messageId: required(item, 'firstMessageId'),
      receivedAt: required(item, 'firstReceivedAt'),
      suppressionUnevaluated: readBool(item, 'suppressionUnevaluated') ?? false,
    },
    firstPublished: readBool(item, 'firstPublished') ?? false,
    last: lastMessageId
      ? {
          entry: {
            slot: 'last',
            kind: 're-emitted',
            incidentId,
            messageId: lastMessageId,
            receivedAt: readString(item, 'lastReceivedAt') ?? required(item, 'firstReceivedAt'),
            suppressionUnevaluated: false,
          },
          published: readBool(item, 'lastPublished') ?? false,
        }
      : undefined,
  };
}

function required(item: Item, key: string): string {
  const value = readString(item, key);
  if (value === undefined) throw new Error(`coalescing item ${readString(item, 'pk')} has no ${key}`);
  return value;
}

/** Positive when `finding` is a newer version than what is stored: later `updatedAt`, then higher `count`. */
function compareVersions(finding: Finding, stored: Pick<StoredFinding, 'updatedAt' | 'count'>): number {
  if (finding.updatedAt !== stored.updatedAt) return finding.updatedAt > stored.updatedAt ? 1 : -1;
  return finding.count - stored.count;
}
