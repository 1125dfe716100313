import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys, StoredSuppressionRule } from '@ir/contracts';
import { errorName } from '@ir/runtime';
import { CorruptSuppressionRuleError } from './errors.js';

/**
 * How long an expired rule stays listed before the table's TTL deletes it. It stops matching at its
 * `expiresAt` already; the week lets `GET /suppressions` show what just expired and who wrote it.
 */
export const EXPIRED_RULE_RETENTION_SECONDS = 7 * 86_400;

type Item = Record<string, AttributeValue>;

/**
 * Writes a rule unless one of the same name exists (`'exists'`, nothing changed). Why conditional:
 * two operators proposing from the same incident derive the same name, and the second must not
 * silently replace the first's rule, expiry and authorship.
 */
export async function putSuppressionRule(
  dynamodb: DynamoDBClient,
  tableName: string,
  rule: StoredSuppressionRule,
): Promise<'written' | 'exists'> {
  const ttl = Math.floor(Date.parse(rule.expiresAt) / 1000) + EXPIRED_RULE_RETENTION_SECONDS;
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: keys.suppressionPk },
          sk: { S: keys.suppressionSk(rule.name) },
          data: { S: JSON.stringify(StoredSuppressionRule.parse(rule)) },
          expiresAt: { N: String(ttl) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'written';
  } catch (error: unknown) {
    if (errorName(error) === 'ConditionalCheckFailedException') return 'exists';
    throw error;
  }
}

/**
 * Every rule in the table, by name, read consistently page by page (expired ones included until TTL
 * removes them; the suppressor skips them). Throws {@link CorruptSuppressionRuleError} on an item
 * that does not parse.
 */
export async function listSuppressionRules(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<StoredSuppressionRule[]> {
  const rules: StoredSuppressionRule[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': { S: keys.suppressionPk },
          ':prefix': { S: keys.suppressionSkPrefix },
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) rules.push(ruleOf(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return rules;
}

function ruleOf(item: Item): StoredSuppressionRule {
  const key = `${item.pk?.S}/${item.sk?.S}`;
  const text = item.data?.S;
  if (text === undefined) throw new CorruptSuppressionRuleError(key, 'no data attribute');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new CorruptSuppressionRuleError(key, `data is not JSON (${String(error)})`);
  }
  const parsed = StoredSuppressionRule.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CorruptSuppressionRuleError(key, detail);
  }
  return parsed.data;
}
