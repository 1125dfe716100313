import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { IncidentRecord, type IncidentStatus, incidentTableKeys as keys } from '@ir/contracts';
import { decodeData, type Item, numberOf, stringOf } from './codec.js';
import { indexedBefore, queryPages } from './query-all.js';

const INCIDENT_PREFIX = keys.incidentPk('');

/** An incident as listed: the record and its version. */
export interface IncidentSummary {
  readonly incident: IncidentRecord;
  readonly version: number;
}

const byStatus = (tableName: string, status: IncidentStatus) => ({
  TableName: tableName,
  IndexName: 'gsi1',
  KeyConditionExpression: 'gsi1pk = :pk',
  ExpressionAttributeValues: { ':pk': { S: keys.statusGsiPk(status) } },
});

/** Incidents with one status, newest first (gsi1, eventually consistent). */
export async function listByStatus(
  dynamodb: DynamoDBClient,
  tableName: string,
  status: IncidentStatus,
  limit: number,
): Promise<IncidentSummary[]> {
  const items = await queryPages(
    dynamodb,
    { ...byStatus(tableName, status), ScanIndexForward: false },
    limit,
  );
  return items.map((item) => ({
    incident: decodeData(item, IncidentRecord),
    version: numberOf(item, 'version') ?? 0,
  }));
}

/** How many incidents have one status (the `ir_incidents_open` gauge). */
export async function countByStatus(
  dynamodb: DynamoDBClient,
  tableName: string,
  status: IncidentStatus,
): Promise<number> {
  let total = 0;
  let start: Item | undefined;
  do {
    const output = await dynamodb.send(
      new QueryCommand({ ...byStatus(tableName, status), Select: 'COUNT', ExclusiveStartKey: start }),
    );
    total += output.Count ?? 0;
    start = output.LastEvaluatedKey;
  } while (start);
  return total;
}

/**
 * Incidents in a settled status (completed, rolled back, resolved) with a dispatched step whose
 * deadline is before `before`, from their `INFLIGHT` items on gsi1 (eventually consistent: the sweep
 * reads each one again before deciding).
 */
export async function settledWithOverdueSteps(
  dynamodb: DynamoDBClient,
  tableName: string,
  before: Date,
  limit: number,
): Promise<string[]> {
  const items = await indexedBefore(dynamodb, tableName, keys.inFlightGsiPk, before, limit);
  return items
    .map((item) => stringOf(item, 'pk') ?? '')
    .filter((pk) => pk.startsWith(INCIDENT_PREFIX))
    .map((pk) => pk.slice(INCIDENT_PREFIX.length));
}
