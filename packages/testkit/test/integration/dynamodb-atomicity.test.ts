import {
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
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

  it('writes nothing of a cancelled transaction and all of a successful one', async () => {
    // Prepare: the launcher replaces moto's whole-table copy with a snapshot of the items a
    // transaction names; a cancelled one must still leave every one of them as it was.
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const { tableName } = await bootstrap({ prefix: 'ir', clients });
    const pk = { S: 'TXN#1' };
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: tableName, Item: { pk, sk: { S: 'META' }, version: { N: '1' } } }),
    );
    const bump = {
      Update: {
        TableName: tableName,
        Key: { pk, sk: { S: 'META' } },
        UpdateExpression: 'SET version = :next',
        ExpressionAttributeValues: { ':next': { N: '2' } },
      },
    };
    const add = { Put: { TableName: tableName, Item: { pk, sk: { S: 'TIMELINE#1' } } } };
    // Act: the third write's condition fails after the first two were applied.
    const cancelled = await clients.dynamodb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            bump,
            add,
            {
              Put: {
                TableName: tableName,
                Item: { pk, sk: { S: 'STEP#1' } },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      )
      .then(
        () => undefined,
        (error: { name: string; CancellationReasons?: { Code?: string }[] }) => error,
      );
    const afterCancel = await clients.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    await clients.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [bump, add] }));
    const afterCommit = await clients.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    // Assess
    expect(cancelled?.name).toBe('TransactionCanceledException');
    expect(cancelled?.CancellationReasons?.map((reason) => reason.Code)).toEqual([
      'None',
      'None',
      'ConditionalCheckFailed',
    ]);
    expect(afterCancel.Items).toEqual([{ pk, sk: { S: 'META' }, version: { N: '1' } }]);
    expect(afterCommit.Items?.map((item) => [item.sk?.S, item.version?.N])).toEqual([
      ['META', '2'],
      ['TIMELINE#1', undefined],
    ]);
    clients.destroy();
  });
});
