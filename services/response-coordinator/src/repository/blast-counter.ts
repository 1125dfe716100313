import { type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import { numberOf } from './codec.js';

/** The blast-radius counter the transition's containments are counted against. */
export interface BlastCount {
  readonly windowStart: string;
  readonly expiresAt: number;
  /** The value read before deciding; the write is conditional on it. */
  readonly expected: number;
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
 * The counter's update inside a transition's transaction: conditional on the value read, so two
 * replicas cannot both take the last slot of a window.
 */
export function blastCounterUpdate(tableName: string, blast: BlastCount, used: number): TransactWriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: { S: keys.blastWindowPk(blast.windowStart) }, sk: { S: keys.blastWindowSk } },
      UpdateExpression: 'SET #count = :next, expiresAt = :expires',
      ConditionExpression:
        blast.expected === 0 ? 'attribute_not_exists(#count) OR #count = :old' : '#count = :old',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: {
        ':next': { N: String(blast.expected + used) },
        ':old': { N: String(blast.expected) },
        ':expires': { N: String(blast.expiresAt) },
      },
    },
  };
}
