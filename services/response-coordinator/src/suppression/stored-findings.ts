import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Finding, incidentTableKeys as keys } from '@ir/contracts';
import type { StoredFinding } from '@ir/suppression';
import { decodeData, type Item, stringOf } from '../repository/codec.js';
import { queryAll } from '../repository/query-all.js';

const INCIDENT_PREFIX = keys.incidentPk('');
const FINDING_PREFIX = 'FINDING#';

/** The whole findings of one incident, from its `FINDING#` items (a corrupt one throws). */
export async function incidentFindings(
  dynamodb: DynamoDBClient,
  tableName: string,
  incidentId: string,
): Promise<Finding[]> {
  const items = await queryAll(dynamodb, tableName, keys.incidentPk(incidentId), FINDING_PREFIX);
  return items.map((item) => decodeData(item, Finding));
}

/**
 * Reads the stored findings of every incident (`INCIDENT#…` / `FINDING#…`) with a Scan, handing each
 * to `visit`, until the table ends or `scanLimit` items have been read. Why a bound: the table also
 * holds steps, timelines and coalescing items, and an operator's request must not read a large table
 * whole; the answer says when it stopped early. A finding that no longer parses is counted, not fatal.
 */
export async function scanStoredFindings(
  dynamodb: DynamoDBClient,
  tableName: string,
  scanLimit: number,
  visit: (stored: StoredFinding) => void,
): Promise<{ capped: boolean; scanLimit: number }> {
  let read = 0;
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :incident) AND begins_with(sk, :finding)',
        ExpressionAttributeValues: {
          ':incident': { S: INCIDENT_PREFIX },
          ':finding': { S: FINDING_PREFIX },
        },
        ProjectionExpression: 'pk, sk, #data',
        ExpressionAttributeNames: { '#data': 'data' },
        Limit: Math.min(1000, scanLimit - read),
        ExclusiveStartKey: start,
      }),
    );
    read += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) visit(storedFinding(item));
    start = page.LastEvaluatedKey;
  } while (start && read < scanLimit);
  return { capped: start !== undefined, scanLimit };
}

function storedFinding(item: Item): StoredFinding {
  const incidentId = (stringOf(item, 'pk') ?? '').slice(INCIDENT_PREFIX.length);
  try {
    return { incidentId, finding: decodeData(item, Finding) };
  } catch (error: unknown) {
    return { incidentId, unreadable: error instanceof Error ? error.message : String(error) };
  }
}
