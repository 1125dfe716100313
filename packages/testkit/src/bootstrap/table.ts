import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { isAwsError, isNotImplemented } from '../aws-errors.js';
import { ResourceSetupError } from '../errors.js';
import type { Changes } from './changes.js';

/** The incident table's key and index layout, shared with the coordinator's repository. */
export const INCIDENT_TABLE_LAYOUT = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Lists incidents by status or by resource. */
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

const L = INCIDENT_TABLE_LAYOUT;

const ATTRIBUTES: AttributeDefinition[] = [
  L.partitionKey,
  L.sortKey,
  L.gsi1.partitionKey,
  L.gsi1.sortKey,
].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
const KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: L.partitionKey, KeyType: 'HASH' },
  { AttributeName: L.sortKey, KeyType: 'RANGE' },
];
const GSI1: GlobalSecondaryIndex = {
  IndexName: L.gsi1.name,
  KeySchema: [
    { AttributeName: L.gsi1.partitionKey, KeyType: 'HASH' },
    { AttributeName: L.gsi1.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
};

/**
 * Ensures the on-demand incident table with its GSI, TTL and (where the service supports it)
 * point-in-time recovery. A table whose primary key differs cannot be converged and is an error.
 */
export async function ensureIncidentTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  changes: Changes,
): Promise<void> {
  let table = await describeTable(dynamodb, tableName);
  if (table === undefined) {
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: ATTRIBUTES,
          KeySchema: KEY_SCHEMA,
          GlobalSecondaryIndexes: [GSI1],
        }),
      );
      changes.created.push(`dynamodb:${tableName}`);
    } catch (error: unknown) {
      if (!isAwsError(error, 'ResourceInUseException')) throw error;
    }
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 120 }, { TableName: tableName });
    table = await describeTable(dynamodb, tableName);
  }
  if (!sameKeys(table?.KeySchema, KEY_SCHEMA)) {
    throw new ResourceSetupError(`table ${tableName} exists with another primary key; expected pk/sk`, {
      context: { tableName, keySchema: table?.KeySchema },
    });
  }
  if (!table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === GSI1.IndexName)) {
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: ATTRIBUTES,
        GlobalSecondaryIndexUpdates: [{ Create: GSI1 }],
      }),
    );
    changes.updated.push(`dynamodb:${tableName}(${GSI1.IndexName})`);
  }
  await ensureTtl(dynamodb, tableName, changes);
  await ensurePointInTimeRecovery(dynamodb, tableName, changes);
}

async function describeTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error: unknown) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

async function ensureTtl(dynamodb: DynamoDBClient, tableName: string, changes: Changes): Promise<void> {
  const { TimeToLiveDescription: ttl } = await dynamodb.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const enabled = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (enabled && ttl?.AttributeName === L.ttlAttribute) return;
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: L.ttlAttribute, Enabled: true },
    }),
  );
  changes.updated.push(`dynamodb:${tableName}(ttl)`);
}

/** Point-in-time recovery is a safety net in AWS; an emulator without it is not a reason to fail. */
async function ensurePointInTimeRecovery(
  dynamodb: DynamoDBClient,
  tableName: string,
  changes: Changes,
): Promise<void> {
  try {
    const { ContinuousBackupsDescription: backups } = await dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: tableName }),
    );
    if (backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED') return;
    await dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: tableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    changes.updated.push(`dynamodb:${tableName}(pitr)`);
  } catch (error: unknown) {
    if (!isNotImplemented(error)) throw error;
  }
}

function sameKeys(
  actual: readonly KeySchemaElement[] | undefined,
  expected: readonly KeySchemaElement[],
): boolean {
  return (
    actual?.length === expected.length &&
    expected.every((key) =>
      actual.some((other) => other.AttributeName === key.AttributeName && other.KeyType === key.KeyType),
    )
  );
}
