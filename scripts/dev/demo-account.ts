import {
  createBucket,
  createIamUser,
  createInstance,
  createRole,
  createVpc,
  type EmulatorClients,
} from '@ir/testkit';

/** What `pnpm dev` seeds into the emulator, so the demo findings name real resources. */
export interface DemoAccount {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Two ENIs, in an Auto Scaling group behind a target group: the EC2 compromise target. */
  readonly webInstance: {
    instanceId: string;
    networkInterfaceIds: string[];
    asgName?: string;
    targetGroupArn?: string;
  };
  /** Tagged `ir:protected=true`: containment waits for approval. */
  readonly databaseInstance: { instanceId: string; networkInterfaceIds: string[] };
  /**
   * SSH open to the internet, in the second subnet: the port-probe target, whose incident holds a
   * network ACL block of the prober's IP for two approvers. An instance of its own, because detection
   * attaches a second finding on the same instance to the first one's incident.
   */
  readonly bastionInstance: { instanceId: string; networkInterfaceIds: string[]; subnetId: string };
  /** Runs with an instance role whose credentials the demo "exfiltrates". */
  readonly batchInstance: { instanceId: string; networkInterfaceIds: string[] };
  readonly batchRole: { roleName: string; arn: string };
  readonly deployer: { userName: string; accessKeyIds: string[] };
  readonly analyst: { userName: string; accessKeyIds: string[] };
  readonly publicBucket: { bucketName: string };
}

/**
 * A small but realistic account: a VPC with two subnets; four instances (one with two ENIs in an
 * Auto Scaling group behind a target group, one protected, a bastion in the second subnet, one with an
 * instance role); two IAM users with access keys (one with a console password); a bucket someone made
 * public.
 */
export async function seedDemoAccount(clients: EmulatorClients): Promise<DemoAccount> {
  const vpc = await createVpc({ ec2: clients.ec2, subnets: 2, tags: { Name: 'ir-demo' } });
  const web = await createInstance({
    ec2: clients.ec2,
    subnetIds: vpc.subnetIds,
    eniCount: 2,
    volumes: [{ sizeGiB: 8 }],
    tags: { Name: 'web-1', app: 'storefront' },
    autoScaling: { client: clients.autoScaling, groupName: 'ir-demo-web' },
    targetGroup: { client: clients.elbv2, name: 'ir-demo-web' },
  });
  const database = await createInstance({
    ec2: clients.ec2,
    subnetIds: vpc.subnetIds,
    tags: { Name: 'db-1', 'ir:protected': 'true' },
  });
  const bastionSubnet = vpc.subnetIds[1] ?? vpc.subnetIds[0] ?? '';
  const bastion = await createInstance({
    ec2: clients.ec2,
    subnetIds: [bastionSubnet],
    tags: { Name: 'bastion-1', role: 'ssh-bastion' },
  });
  const batchRole = await createRole({
    iam: clients.iam,
    roleName: 'ir-demo-batch-worker',
    trustedService: 'ec2.amazonaws.com',
  });
  const batch = await createInstance({
    ec2: clients.ec2,
    subnetIds: vpc.subnetIds,
    tags: { Name: 'batch-1' },
  });
  const deployer = await createIamUser({
    iam: clients.iam,
    userName: 'ci-deployer',
    accessKeys: 2,
    loginProfile: true,
  });
  const analyst = await createIamUser({ iam: clients.iam, userName: 'analyst', accessKeys: 1 });
  const bucket = await createBucket({
    s3: clients.s3,
    name: `ir-demo-public-assets-${Date.now().toString(36)}`,
    publicAccessBlock: {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    },
  });
  return {
    vpcId: vpc.vpcId,
    subnetIds: vpc.subnetIds,
    webInstance: web,
    databaseInstance: database,
    bastionInstance: { ...bastion, subnetId: bastionSubnet },
    batchInstance: batch,
    batchRole,
    deployer,
    analyst,
    publicBucket: bucket,
  };
}
