import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { bootstrap, emulatorClients, isolatedAccount } from '../../src/index.js';

describe('the emulator keeps DynamoDB conditional writes atomic', () => {
  it('lets exactly one of many concurrent conditional writes on one item succeed', async () => {
    // Prepare: what coalescing and the coordinator rely on (optimistic concurrency on one item).
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const { tableName } = await bootstrap({ prefix: 'ir', clients });
    const key = { pk: { S: 'RACE#1' }, sk: { S: 'META' } };
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: tableName, Item: { ...key, version: { N: '0' } } }),
    );
    // Act: 100 writers who all read version 0 try to move it to 1.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, writer) =>
        clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET version = :next, writer = :writer',
            ConditionExpression: 'version = :seen',
            ExpressionAttributeValues: {
              ':seen': { N: '0' },
              ':next': { N: '1' },
              ':writer': { N: String(writer) },
            },
          }),
        ),
      ),
    );
    // Assess
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter(
      (outcome) =>
        outcome.status === 'rejected' && (outcome.reason as Error).name === 'ConditionalCheckFailedException',
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(99);
    clients.destroy();
  });
});
