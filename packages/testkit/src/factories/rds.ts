import { CreateSecurityGroupCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { EmulatorCredentials } from '../accounts.js';
import { ResourceSetupError } from '../errors.js';
import { tagList, uniqueName } from './names.js';
import { createVpc } from './vpc.js';

/** An RDS client on the emulator (the testkit's `emulatorClients` has none: few tests need it). */
export function rdsClient(settings: {
  endpoint: string;
  region: string;
  credentials: EmulatorCredentials;
}): RDSClient {
  return new RDSClient({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: settings.credentials,
  });
}

/** Options of {@link createRdsDatabase}. */
export interface CreateRdsDatabaseOptions {
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  /** `instance`: a stand-alone PostgreSQL instance; `cluster`: an Aurora PostgreSQL cluster with `members` instances. */
  readonly kind: 'instance' | 'cluster';
  readonly members?: number;
  readonly publiclyAccessible?: boolean;
  /** Application security groups to create and attach (default 2, so a rollback has more than one to restore). */
  readonly groups?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** What {@link createRdsDatabase} made. */
export interface CreatedRdsDatabase {
  readonly vpcId: string;
  readonly groupIds: string[];
  /** The instance (kind `instance`) or the cluster's id. */
  readonly id: string;
  /** The instance, or the cluster's members. */
  readonly instanceIds: string[];
}

/**
 * A database in a VPC of its own with two subnets (RDS wants two zones) and its own security groups.
 * No secret: the master password is random per call.
 */
export async function createRdsDatabase(options: CreateRdsDatabaseOptions): Promise<CreatedRdsDatabase> {
  const { ec2, rds, kind } = options;
  const vpc = await createVpc({ ec2, subnets: 2 });
  const groupIds: string[] = [];
  for (let i = 0; i < (options.groups ?? 2); i++) {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: uniqueName('db-app'),
        Description: 'app',
        VpcId: vpc.vpcId,
      }),
    );
    if (!GroupId) throw new ResourceSetupError('CreateSecurityGroup returned no id');
    groupIds.push(GroupId);
  }
  const subnetGroup = uniqueName('db-subnets');
  await rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: subnetGroup,
      DBSubnetGroupDescription: 'test',
      SubnetIds: vpc.subnetIds,
    }),
  );
  const password = `p${crypto.randomUUID().replaceAll('-', '')}`;
  const Tags = options.tags ? tagList(options.tags) : undefined;
  const id = uniqueName(kind === 'cluster' ? 'aurora' : 'db').toLowerCase();
  if (kind === 'instance') {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'admin_user',
        MasterUserPassword: password,
        AllocatedStorage: 20,
        DBSubnetGroupName: subnetGroup,
        VpcSecurityGroupIds: groupIds,
        PubliclyAccessible: options.publiclyAccessible ?? false,
        Tags,
      }),
    );
    return { vpcId: vpc.vpcId, groupIds, id, instanceIds: [id] };
  }
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'admin_user',
      MasterUserPassword: password,
      DBSubnetGroupName: subnetGroup,
      VpcSecurityGroupIds: groupIds,
      Tags,
    }),
  );
  const instanceIds: string[] = [];
  for (let i = 0; i < (options.members ?? 2); i++) {
    const member = `${id}-${i + 1}`;
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: member,
        DBClusterIdentifier: id,
        DBInstanceClass: 'db.r6g.large',
        Engine: 'aurora-postgresql',
        PubliclyAccessible: options.publiclyAccessible ?? false,
        Tags,
      }),
    );
    instanceIds.push(member);
  }
  return { vpcId: vpc.vpcId, groupIds, id, instanceIds };
}
