import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import type { BlastSlotTimes, BlastTake } from './blast-window.js';
import { numberOf } from './codec.js';

const slotKey = { pk: { S: keys.blastSlotsPk }, sk: { S: keys.blastSlotsSk } };

/** The first `max` slots of the blast-radius ring, read consistently (all free when none was taken). */
export async function readBlastSlots(
  dynamodb: DynamoDBClient,
  tableName: string,
  max: number,
): Promise<BlastSlotTimes> {
  const output = await dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: slotKey, ConsistentRead: true }),
  );
  const item = output.Item ?? {};
  return Array.from({ length: max }, (_, index) => numberOf(item, keys.blastSlotAttribute(index)));
}

/**
 * The slots' update inside a transition's transaction: each slot taken is set to the decision's time,
 * on condition that it still holds the value that decision read (or is still absent). So two replicas
 * that read the same free slot cannot both take it: the second transaction is cancelled, and its
 * decision is made again on a fresh read. Slots the decision did not take are not in the condition:
 * a replica taking another slot meanwhile costs nobody a retry.
 */
export function blastSlotsUpdate(tableName: string, take: BlastTake): TransactWriteItem {
  if (take.slots.length === 0) throw new RangeError('a blast-radius take of no slot');
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = { ':at': { N: String(take.at) } };
  const sets: string[] = [];
  const conditions: string[] = [];
  for (const { index, previous } of take.slots) {
    const name = `#s${index}`;
    names[name] = keys.blastSlotAttribute(index);
    sets.push(`${name} = :at`);
    if (previous === undefined) conditions.push(`attribute_not_exists(${name})`);
    else {
      values[`:p${index}`] = { N: String(previous) };
      conditions.push(`${name} = :p${index}`);
    }
  }
  return {
    Update: {
      TableName: tableName,
      Key: slotKey,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
