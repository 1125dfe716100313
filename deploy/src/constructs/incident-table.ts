import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

/**
 * The incident table in the single-table layout of packages/contracts `incidentTableKeys` (and
 * testkit's `INCIDENT_TABLE_LAYOUT`): `pk`/`sk` strings, GSI `gsi1` on `gsi1pk`/`gsi1sk`, TTL on
 * `expiresAt`, on-demand, point-in-time recovery on, retained on stack deletion (it is the incident
 * record).
 */
export function createIncidentTable(scope: Construct, tableName: string): dynamodb.TableV2 {
  const table = new dynamodb.TableV2(scope, 'IncidentTable', {
    tableName,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    globalSecondaryIndexes: [
      {
        indexName: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      },
    ],
  });
  return table;
}
