import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './codec.js';

/** Which sort keys a query reads: those starting with `prefix`, or those from `from` to `to` inclusive. */
type SortKeys = { readonly prefix: string } | { readonly from: string; readonly to: string };

/**
 * Every item under one partition key (optionally only sort keys starting with `skPrefix`), read
 * consistently and page by page: an incident's items are few, but a storm can attach hundreds.
 */
export function queryAll(
  dynamodb: DynamoDBClient,
  tableName: string,
  pk: string,
  skPrefix?: string,
): Promise<Item[]> {
  return queryRange(dynamodb, tableName, pk, skPrefix === undefined ? undefined : { prefix: skPrefix });
}

/** Every item under one partition key whose sort key is in `sortKeys`, consistently, page by page. */
export async function queryRange(
  dynamodb: DynamoDBClient,
  tableName: string,
  pk: string,
  sortKeys?: SortKeys,
): Promise<Item[]> {
  const condition: { expression: string; values: Record<string, AttributeValue> } =
    sortKeys === undefined
      ? { expression: 'pk = :pk', values: {} }
      : 'prefix' in sortKeys
        ? {
            expression: 'pk = :pk AND begins_with(sk, :prefix)',
            values: { ':prefix': { S: sortKeys.prefix } },
          }
        : {
            expression: 'pk = :pk AND sk BETWEEN :from AND :to',
            values: { ':from': { S: sortKeys.from }, ':to': { S: sortKeys.to } },
          };
  return queryPages(dynamodb, {
    TableName: tableName,
    KeyConditionExpression: condition.expression,
    ExpressionAttributeValues: { ':pk': { S: pk }, ...condition.values },
    ConsistentRead: true,
  });
}

/** The items of a query, page by page, until there are no more or `limit` have been read. */
export async function queryPages(
  dynamodb: DynamoDBClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit?: number,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const output = await dynamodb.send(
      new QueryCommand({
        ...input,
        ...(limit === undefined ? {} : { Limit: limit - items.length }),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start && (limit === undefined || items.length < limit));
  return items;
}

/**
 * Up to `limit` items listed on gsi1 under `gsi1pk` with a `gsi1sk` before `before` (their sort keys
 * start with a time), oldest first, page by page; eventually consistent, as every GSI read is.
 */
export function indexedBefore(
  dynamodb: DynamoDBClient,
  tableName: string,
  gsi1pk: string,
  before: Date,
  limit: number,
): Promise<Item[]> {
  return queryPages(
    dynamodb,
    {
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
      ExpressionAttributeValues: { ':pk': { S: gsi1pk }, ':before': { S: before.toISOString() } },
    },
    limit,
  );
}
