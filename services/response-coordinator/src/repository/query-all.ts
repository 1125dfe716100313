import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from './codec.js';

/**
 * Every item under one partition key (optionally only sort keys starting with `skPrefix`), read
 * consistently and page by page: an incident's items are few, but a storm can attach hundreds.
 */
export async function queryAll(
  dynamodb: DynamoDBClient,
  tableName: string,
  pk: string,
  skPrefix?: string,
): Promise<Item[]> {
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
}
