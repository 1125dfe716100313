import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import { errorName } from '@ir/runtime';

/**
 * Deletes detection's `RESOURCE#` item if it still names this incident, so the next finding about
 * the resource opens a new incident; true when deleted.
 */
export async function releaseResource(
  dynamodb: DynamoDBClient,
  tableName: string,
  accountId: string,
  resourceKey: string,
  incidentId: string,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: { pk: { S: keys.resourcePk(accountId, resourceKey) }, sk: { S: keys.resourceSk } },
        ConditionExpression: 'incidentId = :incident',
        ExpressionAttributeValues: { ':incident': { S: incidentId } },
      }),
    );
    return true;
  } catch (error: unknown) {
    // Gone already, or detection has since opened another incident for the resource.
    if (errorName(error) === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
