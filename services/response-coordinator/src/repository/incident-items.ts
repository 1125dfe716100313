import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IncidentRecord, incidentTableKeys as keys, StepRecord, TimelineEntry } from '@ir/contracts';
import type { IncidentAggregate, OutboxEntry } from '../model.js';
import { decodeData, type Item, numberOf, stringOf } from './codec.js';
import { OUTBOX_PREFIX, outboxEntryOf } from './outbox-store.js';
import { queryAll, queryRange } from './query-all.js';

/** Just past every `STEP#` sort key (`$` follows `#`): the end of the range a decision reads. */
const STEPS_END = 'STEP$';

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

/**
 * What a decision needs: META, the outbox and the steps, without the timeline and finding copies, in
 * one consistent Query. Why one: it was a GetItem and two Queries on every message. The range
 * `META` … `STEP$` holds exactly those items (`FINDING#` sorts before it, `TIMELINE#` after), and
 * DynamoDB returns a partition's items in sort-key order, so META is read before the steps: a commit
 * that lands between them shows newer steps beside an older version, and the conditional write on
 * that version then fails and the decision is made again from a fresh read.
 */
export async function loadForDecision(
  dynamodb: DynamoDBClient,
  tableName: string,
  incidentId: string,
): Promise<DecisionItems> {
  const items = await queryRange(dynamodb, tableName, keys.incidentPk(incidentId), {
    from: keys.incidentSk,
    to: STEPS_END,
  });
  const { aggregate, outbox } = assemble(items);
  return { aggregate, outbox };
}
