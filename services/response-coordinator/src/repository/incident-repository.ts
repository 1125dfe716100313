import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import { errorName } from '@ir/runtime';
import { CorruptItemError, TransitionTooLargeError } from '../errors.js';
import {
  type IncidentAggregate,
  IncidentRecord,
  type IncidentStatus,
  type OutboxEntry,
  StepRecord,
  TimelineEntry,
  WorkerQueue,
} from '../model.js';
import type { Transition } from '../state/draft.js';
import { decodeData, encodeItem, type Item, numberOf, stringOf } from './codec.js';

const OUTBOX_PREFIX = 'OUTBOX#';
const INCIDENT_PREFIX = keys.incidentPk('');
const MAX_TRANSACTION_ITEMS = 100;

function outboxQueue(item: Item): WorkerQueue {
  const parsed = WorkerQueue.safeParse(stringOf(item, 'queue'));
  if (!parsed.success)
    throw new CorruptItemError(`${stringOf(item, 'pk')}/${stringOf(item, 'sk')}`, 'unknown queue');
  return parsed.data;
}

/** An incident as listed: the record and its version. */
export interface IncidentSummary {
  readonly incident: IncidentRecord;
  readonly version: number;
}

/** Everything stored under one incident. */
export interface IncidentItems {
  readonly aggregate: IncidentAggregate | undefined;
  readonly timeline: readonly TimelineEntry[];
  /** Commands committed and perhaps not yet published. */
  readonly outbox: readonly OutboxEntry[];
}

/** An outbox entry committed before the cut-off and still there: its command may never have gone out. */
export interface StaleOutboxEntry {
  readonly incidentId: string;
  readonly messageId: string;
}

/** The blast-radius counter the transition's containments are counted against. */
export interface BlastCount {
  readonly windowStart: string;
  readonly expiresAt: number;
  /** The value read before deciding; the write is conditional on it. */
  readonly expected: number;
}

/** What a decision reads: the incident and its steps, and the outbox (no timeline, no finding copies). */
export type DecisionItems = Omit<IncidentItems, 'timeline'>;

/** Incident state in the shared table (`INCIDENT#`, `STEP#`, `TIMELINE#`, `FINDING#`, `OUTBOX#`, `BLAST#`). */
export interface IncidentRepository {
  load(incidentId: string): Promise<IncidentItems>;
  /**
   * What a decision needs, read without the timeline and the finding copies. Why: those grow with
   * every event (an incident a storm attaches hundreds of findings to holds thousands of items), and
   * reading them on every message made each decision slower than the last.
   */
  loadForDecision(incidentId: string): Promise<DecisionItems>;
  /** Writes a transition in one transaction; false when the version (or blast counter) moved on. */
  commit(transition: Transition, blast?: BlastCount): Promise<boolean>;
  deleteOutbox(incidentId: string, messageIds: readonly string[]): Promise<void>;
  /**
   * Outbox entries committed before `before`, whatever the incident's status (from gsi1, eventually
   * consistent): the sweep publishes them when their writer died between commit and publish.
   */
  staleOutbox(before: Date, limit?: number): Promise<StaleOutboxEntry[]>;
  list(status: IncidentStatus, limit?: number): Promise<IncidentSummary[]>;
  count(status: IncidentStatus): Promise<number>;
  blastUsed(windowStart: string): Promise<number>;
  /** Deletes detection's `RESOURCE#` item if it still names this incident; true when deleted. */
  releaseResource(accountId: string, resourceKey: string, incidentId: string): Promise<boolean>;
}

/** Builds the repository over one table. */
export function createIncidentRepository(dynamodb: DynamoDBClient, tableName: string): IncidentRepository {
  const queryAll = async (pk: string, skPrefix?: string): Promise<Item[]> => {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const output = await dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': { S: pk },
            ...(skPrefix ? { ':prefix': { S: skPrefix } } : {}),
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start);
    return items;
  };

  const byStatus = (status: IncidentStatus) => ({
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: keys.statusGsiPk(status) } },
  });

  /** Sorts an incident's items into the aggregate, its timeline and its outbox. */
  const assemble = (items: readonly Item[]): IncidentItems => {
    let meta: Item | undefined;
    const steps: StepRecord[] = [];
    const timeline: TimelineEntry[] = [];
    const outbox: OutboxEntry[] = [];
    for (const item of items) {
      const sk = stringOf(item, 'sk') ?? '';
      if (sk === keys.incidentSk) meta = item;
      else if (sk.startsWith('STEP#')) steps.push(decodeData(item, StepRecord));
      else if (sk.startsWith('TIMELINE#')) timeline.push(decodeData(item, TimelineEntry));
      else if (sk.startsWith(OUTBOX_PREFIX)) {
        outbox.push({
          queue: outboxQueue(item),
          messageId: sk.slice(OUTBOX_PREFIX.length),
          body: stringOf(item, 'body') ?? '',
        });
      }
    }
    const aggregate = meta
      ? {
          incident: decodeData(meta, IncidentRecord),
          version: numberOf(meta, 'version') ?? 0,
          steps: steps.sort((a, b) => a.order - b.order),
        }
      : undefined;
    return { aggregate, timeline, outbox };
  };

  return {
    async load(incidentId) {
      return assemble(await queryAll(keys.incidentPk(incidentId)));
    },

    async loadForDecision(incidentId) {
      const pk = keys.incidentPk(incidentId);
      // Read in this order: the steps and outbox a commit writes together with META are read after
      // META, and a commit between the reads only makes the version check below fail the write.
      const meta = await dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: pk }, sk: { S: keys.incidentSk } },
          ConsistentRead: true,
        }),
      );
      const steps = await queryAll(pk, 'STEP#');
      const outbox = await queryAll(pk, OUTBOX_PREFIX);
      const { aggregate, outbox: entries } = assemble([
        ...(meta.Item ? [meta.Item] : []),
        ...steps,
        ...outbox,
      ]);
      return { aggregate, outbox: entries };
    },

    async commit(transition, blast) {
      const { incident } = transition;
      const pk = keys.incidentPk(incident.incidentId);
      const committedAt = new Date().toISOString();
      const version = transition.expectedVersion + 1;
      const writes: TransactWriteItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: encodeItem(pk, keys.incidentSk, incident, {
              version,
              status: incident.status,
              gsi1pk: keys.statusGsiPk(incident.status),
              gsi1sk: keys.statusGsiSk(incident.openedAt, incident.incidentId),
            }),
            ...(transition.isNew
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': { N: String(transition.expectedVersion) } },
                }),
          },
        },
        ...transition.steps.map((step) => ({
          Put: {
            TableName: tableName,
            Item: encodeItem(pk, keys.stepSk(step.stepId), step, { status: step.status }),
          },
        })),
        ...transition.timeline.map((entry) => ({
          Put: {
            TableName: tableName,
            Item: encodeItem(pk, keys.timelineSk(entry.at, entry.entryId), entry),
          },
        })),
        ...transition.findings.map((finding) => ({
          Put: {
            TableName: tableName,
            Item: encodeItem(pk, keys.findingRefSk(finding.source, finding.id), finding),
          },
        })),
        ...transition.outbox.map((entry) => ({
          Put: {
            TableName: tableName,
            Item: {
              pk: { S: pk },
              sk: { S: `${OUTBOX_PREFIX}${entry.messageId}` },
              queue: { S: entry.queue },
              body: { S: entry.body },
              gsi1pk: { S: keys.outboxGsiPk },
              gsi1sk: { S: keys.outboxGsiSk(committedAt, incident.incidentId, entry.messageId) },
            },
          },
        })),
      ];
      if (blast && transition.blastUsed > 0) {
        writes.push({
          Update: {
            TableName: tableName,
            Key: { pk: { S: keys.blastWindowPk(blast.windowStart) }, sk: { S: keys.blastWindowSk } },
            UpdateExpression: 'SET #count = :next, expiresAt = :expires',
            ConditionExpression:
              blast.expected === 0 ? 'attribute_not_exists(#count) OR #count = :old' : '#count = :old',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: {
              ':next': { N: String(blast.expected + transition.blastUsed) },
              ':old': { N: String(blast.expected) },
              ':expires': { N: String(blast.expiresAt) },
            },
          },
        });
      }
      if (writes.length > MAX_TRANSACTION_ITEMS) {
        throw new TransitionTooLargeError(incident.incidentId, writes.length);
      }
      try {
        await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: writes }));
        return true;
      } catch (error: unknown) {
        // Cancelled by a condition (another writer won) or by a concurrent transaction: decide again.
        if (errorName(error) === 'TransactionCanceledException') return false;
        throw error;
      }
    },

    async deleteOutbox(incidentId, messageIds) {
      for (const messageId of messageIds) {
        await dynamodb.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: { S: keys.incidentPk(incidentId) }, sk: { S: `${OUTBOX_PREFIX}${messageId}` } },
          }),
        );
      }
    },

    async staleOutbox(before, limit = 500) {
      const stale: StaleOutboxEntry[] = [];
      let start: Item | undefined;
      do {
        const output = await dynamodb.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
            ExpressionAttributeValues: {
              ':pk': { S: keys.outboxGsiPk },
              ':before': { S: before.toISOString() },
            },
            Limit: limit - stale.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of output.Items ?? []) {
          const pk = stringOf(item, 'pk') ?? '';
          const sk = stringOf(item, 'sk') ?? '';
          if (!pk.startsWith(INCIDENT_PREFIX) || !sk.startsWith(OUTBOX_PREFIX)) continue;
          stale.push({
            incidentId: pk.slice(INCIDENT_PREFIX.length),
            messageId: sk.slice(OUTBOX_PREFIX.length),
          });
        }
        start = output.LastEvaluatedKey;
      } while (start && stale.length < limit);
      return stale;
    },

    async list(status, limit = 100) {
      const summaries: IncidentSummary[] = [];
      let start: Item | undefined;
      do {
        const output = await dynamodb.send(
          new QueryCommand({
            ...byStatus(status),
            ScanIndexForward: false,
            Limit: limit - summaries.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of output.Items ?? []) {
          summaries.push({
            incident: decodeData(item, IncidentRecord),
            version: numberOf(item, 'version') ?? 0,
          });
        }
        start = output.LastEvaluatedKey;
      } while (start && summaries.length < limit);
      return summaries;
    },

    async count(status) {
      let total = 0;
      let start: Item | undefined;
      do {
        const output = await dynamodb.send(
          new QueryCommand({
            ...byStatus(status),
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        total += output.Count ?? 0;
        start = output.LastEvaluatedKey;
      } while (start);
      return total;
    },

    async blastUsed(windowStart) {
      const output = await dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: keys.blastWindowPk(windowStart) }, sk: { S: keys.blastWindowSk } },
          ConsistentRead: true,
        }),
      );
      return output.Item ? (numberOf(output.Item, 'count') ?? 0) : 0;
    },

    async releaseResource(accountId, resourceKey, incidentId) {
      try {
        await dynamodb.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: { S: keys.resourcePk(accountId, resourceKey) }, sk: { S: keys.resourceSk } },
            ConditionExpression: 'incidentId = :incident',
            ExpressionAttributeValues: { ':incident': { S: incidentId } },
          }),
        );
        return true;
      } catch (error: unknown) {
        // Gone already, or detection has since opened another incident for the resource.
        if (errorName(error) === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
