import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IncidentRecord, incidentTableKeys as keys, StepRecord, TimelineEntry } from '@ir/contracts';
import type { IncidentAggregate, OutboxEntry } from '../model.js';
import { decodeData, type Item, numberOf, stringOf } from './codec.js';
import { OUTBOX_PREFIX, outboxEntryOf } from './outbox-store.js';
import { queryAll } from './query-all.js';

/** Everything stored under one incident. */
export interface IncidentItems {
  readonly aggregate: IncidentAggregate | undefined;
  readonly timeline: readonly TimelineEntry[];
  /** Commands committed and perhaps not yet published. */
  readonly outbox: readonly OutboxEntry[];
}

/** What a decision reads: the incident and its steps, and the outbox (no timeline, no finding copies). */
export type DecisionItems = Omit<IncidentItems, 'timeline'>;

/** Sorts an incident's items into the aggregate, its timeline and its outbox. */
function assemble(items: readonly Item[]): IncidentItems {
  let meta: Item | undefined;
  const steps: StepRecord[] = [];
  const timeline: TimelineEntry[] = [];
  const outbox: OutboxEntry[] = [];
  for (const item of items) {
    const sk = stringOf(item, 'sk') ?? '';
    if (sk === keys.incidentSk) meta = item;
    else if (sk.startsWith('STEP#')) steps.push(decodeData(item, StepRecord));
    else if (sk.startsWith('TIMELINE#')) timeline.push(decodeData(item, TimelineEntry));
    else if (sk.startsWith(OUTBOX_PREFIX)) outbox.push(outboxEntryOf(item));
  }
  const aggregate = meta
    ? {
        incident: decodeData(meta, IncidentRecord),
        version: numberOf(meta, 'version') ?? 0,
        steps: steps.sort((a, b) => a.order - b.order),
      }
    : undefined;
  return { aggregate, timeline, outbox };
}

/** Every item of an incident, sorted into its aggregate, timeline and outbox. */
export async function loadIncident(
  dynamodb: DynamoDBClient,
  tableName: string,
  incidentId: string,
): Promise<IncidentItems> {
  return assemble(await queryAll(dynamodb, tableName, keys.incidentPk(incidentId)));
}

/** What a decision needs: META, the steps and the outbox, without the timeline and finding copies. */
export async function loadForDecision(
  dynamodb: DynamoDBClient,
  tableName: string,
  incidentId: string,
): Promise<DecisionItems> {
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
  const steps = await queryAll(dynamodb, tableName, pk, 'STEP#');
  const outbox = await queryAll(dynamodb, tableName, pk, OUTBOX_PREFIX);
  const { aggregate, outbox: entries } = assemble([...(meta.Item ? [meta.Item] : []), ...steps, ...outbox]);
  return { aggregate, outbox: entries };
}
