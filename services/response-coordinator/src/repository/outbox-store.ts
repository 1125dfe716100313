import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys, WorkerQueue } from '@ir/contracts';
import { CorruptItemError } from '../errors.js';
import type { OutboxEntry } from '../model.js';
import { type Item, stringOf } from './codec.js';
import { indexedBefore } from './query-all.js';

/** Sort-key prefix of an incident's outbox items: `OUTBOX#<messageId>`. */
export const OUTBOX_PREFIX = 'OUTBOX#';
const INCIDENT_PREFIX = keys.incidentPk('');

/** An outbox entry committed before the cut-off and still there: its command may never have gone out. */
export interface StaleOutboxEntry {
  readonly incidentId: string;
  readonly messageId: string;
}

function outboxQueue(item: Item): WorkerQueue {
  const parsed = WorkerQueue.safeParse(stringOf(item, 'queue'));
  if (!parsed.success)
    throw new CorruptItemError(`${stringOf(item, 'pk')}/${stringOf(item, 'sk')}`, 'unknown queue');
  return parsed.data;
}

/** The outbox entry an `OUTBOX#` item holds. */
export function outboxEntryOf(item: Item): OutboxEntry {
  return {
    queue: outboxQueue(item),
    messageId: (stringOf(item, 'sk') ?? '').slice(OUTBOX_PREFIX.length),
    body: stringOf(item, 'body') ?? '',
    committedAt: (stringOf(item, 'gsi1sk') ?? '').split('#')[0] || undefined,
    causedBy: stringOf(item, 'causedBy'),
  };
}

/**
 * The item an outbox entry is committed as, listed on gsi1 by commit time so a sweep finds the
 * commands a writer that died between commit and publish never sent. The body is stored as sent.
 */
export function outboxItem(
  incidentId: string,
  entry: OutboxEntry,
  committedAt: string,
  causedBy: string | null,
): Item {
  return {
    ...(causedBy ? { causedBy: { S: causedBy } } : {}),
    pk: { S: keys.incidentPk(incidentId) },
    sk: { S: `${OUTBOX_PREFIX}${entry.messageId}` },
    queue: { S: entry.queue },
    body: { S: entry.body },
    gsi1pk: { S: keys.outboxGsiPk },
    gsi1sk: { S: keys.outboxGsiSk(committedAt, incidentId, entry.messageId) },
  };
}

/** Most deletes one BatchWriteItem takes. */
const BATCH_LIMIT = 25;

/**
 * Outbox entries once published: deleted, 25 to a BatchWriteItem (one call per flush, not one per
 * command). Entries DynamoDB leaves unprocessed (throttled) are sent again after a short pause; one
 * still left after that stays in the outbox, where the next writer or the sweep republishes it, which
 * workers tolerate.
 */
export async function deleteOutbox(
  dynamodb: DynamoDBClient,
  tableName: string,
  incidentId: string,
  messageIds: readonly string[],
): Promise<void> {
  for (let first = 0; first < messageIds.length; first += BATCH_LIMIT) {
    let requests: WriteRequest[] | undefined = messageIds.slice(first, first + BATCH_LIMIT).map((id) => ({
      DeleteRequest: {
        Key: { pk: { S: keys.incidentPk(incidentId) }, sk: { S: `${OUTBOX_PREFIX}${id}` } },
      },
    }));
    for (let attempt = 0; requests && requests.length > 0 && attempt < 5; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const output: BatchWriteItemCommandOutput = await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = output.UnprocessedItems?.[tableName];
    }
  }
}

/** Outbox entries committed before `before`, whatever the incident's status (gsi1, eventually consistent). */
export async function staleOutbox(
  dynamodb: DynamoDBClient,
  tableName: string,
  before: Date,
  limit: number,
): Promise<StaleOutboxEntry[]> {
  const stale: StaleOutboxEntry[] = [];
  for (const item of await indexedBefore(dynamodb, tableName, keys.outboxGsiPk, before, limit)) {
    const pk = stringOf(item, 'pk') ?? '';
    const sk = stringOf(item, 'sk') ?? '';
    if (!pk.startsWith(INCIDENT_PREFIX) || !sk.startsWith(OUTBOX_PREFIX)) continue;
    stale.push({ incidentId: pk.slice(INCIDENT_PREFIX.length), messageId: sk.slice(OUTBOX_PREFIX.length) });
  }
  return stale;
}
