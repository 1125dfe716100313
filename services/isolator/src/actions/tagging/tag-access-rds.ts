import { RDSClient } from '@aws-sdk/client-rds';
import { addRdsTags, describeDatabase, describeRds, rdsTags, removeRdsTags } from '../rds/rds-database.js';
import type { TagAccess, TagClient } from './tag-access.js';

/** The cluster when the database has one (an Aurora member is tagged through its cluster), else the instance. */
export async function rdsDatabase(
  client: TagClient,
  target: { dbInstanceIdentifier?: string | undefined; dbClusterIdentifier?: string | undefined },
): Promise<TagAccess> {
  const rds = await client(RDSClient);
  const db = await describeDatabase(rds, target);
  return {
    where: describeRds(db),
    tagged: db.kind === 'cluster' ? { dbClusterIdentifier: db.id } : { dbInstanceIdentifier: db.id },
    read: () => rdsTags(rds, db.arn),
    write: async (tags, dryRun) => {
      if (!dryRun) await addRdsTags(rds, db.arn, { ...tags });
    },
    remove: (keys) => removeRdsTags(rds, db.arn, keys),
  };
}
