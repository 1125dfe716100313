import { type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import { numberOf } from './codec.js';

/** The blast-radius counter the transition's containments are counted against. */
export interface BlastCount {
  readonly windowStart: string;
  readonly expiresAt: number;
  /** Automatic containments allowed in the window (IR_MAX_AUTO_CONTAINMENTS). */
  readonly max: number;
}

/** Automatic containments counted so far in the window starting at `windowStart`. */
export async function blastUsed(
  dynamodb: DynamoDBClient,
  tableName: string,
  windowStart: string,
): Promise<number> {
  const output = await dynamodb.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: keys.blastWindowPk(windowStart) }, sk: { S: keys.blastWindowSk } },
      ConsistentRead: true,
    }),
  );
  return output.Item ? (numberOf(output.Item, 'count') ?? 0) : 0;
}

/**
 * The counter's update inside a transition's transaction: adds the slots taken, on condition that
 * they still fit under `max`, so two replicas cannot both take the last slot of a window. Why not
 * conditional on the exact value read (as it was): every decision that took a slot then conflicted
 * with every other one taken since its read, in any incident, and was loaded and decided again;
 * under load most containment decisions were made two or three times. Now a stale read costs a
 * retry only when the window has really run out of room.
 */
export function blastCounterUpdate(tableName: string, blast: BlastCount, used: number): TransactWriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: { S: keys.blastWindowPk(blast.windowStart) }, sk: { S: keys.blastWindowSk } },
      UpdateExpression: 'ADD #count :used SET expiresAt = :expires',
      ConditionExpression: 'attribute_not_exists(#count) OR #count <= :ceiling',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: {
        ':used': { N: String(used) },
        ':ceiling': { N: String(blast.max - used) },
        ':expires': { N: String(blast.expiresAt) },
      },
    },
  };
}
