import { RDSClient } from '@aws-sdk/client-rds';
import type { RdsTarget } from '@ir/contracts';
import type { StepContext } from '@ir/runtime';
import { describeDatabase, describeDbInstance, rdsTags } from '../rds/rds-database.js';
import type { ResourceTags } from './gate.js';

/**
 * A database's tags (ListTagsForResource): the instance, or the cluster and each of its member
 * instances (both RDS actions change the cluster or every member; a protected member protects the
 * database). An Aurora member named by the command is read with its cluster.
 */
export async function databaseTags(
  client: StepContext['client'],
  target: RdsTarget,
): Promise<ResourceTags[]> {
  const rds = await client(RDSClient);
  const db = await describeDatabase(rds, target);
  const read: ResourceTags[] = [
    { key: `rds-database:${db.kind}/${db.id}`, tags: await rdsTags(rds, db.arn) },
  ];
  if (db.kind === 'cluster') {
    for (const id of db.instanceIds) {
      const arn = (await describeDbInstance(rds, id)).DBInstanceArn;
      if (arn) read.push({ key: `rds-database:instance/${id}`, tags: await rdsTags(rds, arn) });
    }
  }
  return read;
}
