import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  type Attachment,
  CreateClusterCommand,
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { ResourceSetupError } from '../errors.js';
import { uniqueName } from './names.js';

export interface CreateEcsTaskOptions {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  /** The task's ENI goes in the first subnet. */
  readonly subnetIds: readonly string[];
  /** The task definition's `taskRoleArn`; none by default. */
  readonly taskRoleArn?: string;
  /** The cluster to run in; a new one by default. */
  readonly clusterName?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CreatedEcsTask {
  readonly clusterName: string;
  readonly taskArn: string;
  readonly taskDefinitionArn: string;
  /** The ENI an `awsvpc` task would have (see {@link withAwsvpcAttachments}). */
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly securityGroupIds: string[];
  /** The awslogs group of the task definition's container `app` (stream prefix `app`). */
  readonly logGroup: string;
}

/**
 * A running ECS task with a task role and an `awslogs` container, and the ENI an `awsvpc` task would
 * have, in the given subnet with a group of its own.
 *
 * Emulator gap: moto 5.2.5 fails `RunTask` for every `awsvpc` task definition (its `Task` reads
 * `private_dns_name` from the EC2 ENI it creates, which that model does not have: an HTTP 500). So
 * the task runs on the EC2 launch type in `bridge` mode on a registered container instance, and the
 * ENI is created here; {@link withAwsvpcAttachments} then adds the `ElasticNetworkInterface`
 * attachment to what the emulator's `DescribeTasks` answers, as ECS does for an `awsvpc` task.
 */
export async function createEcsTask(options: CreateEcsTaskOptions): Promise<CreatedEcsTask> {
  const { ecs, ec2 } = options;
  const subnetId = options.subnetIds[0];
  if (!subnetId) throw new ResourceSetupError('createEcsTask needs a subnet');
  const clusterName = options.clusterName ?? uniqueName('ir-test-cluster');
  await ecs.send(
    new CreateClusterCommand({
      clusterName,
      ...(options.tags ? { tags: Object.entries(options.tags).map(([key, value]) => ({ key, value })) } : {}),
    }),
  );

  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.Images?.[0]?.ImageId;
  if (!imageId) throw new ResourceSetupError('the emulator lists no Amazon image');
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, SubnetId: subnetId }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId;
  if (!instanceId) throw new ResourceSetupError('RunInstances returned no instance');
  await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: clusterName,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: await ecs.config.region() }),
    }),
  );

  const family = uniqueName('ir-test-task');
  const logGroup = `/ecs/${family}`;
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'bridge',
      ...(options.taskRoleArn ? { taskRoleArn: options.taskRoleArn } : {}),
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/docker/library/nginx:1.27',
          cpu: 64,
          memory: 128,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': logGroup,
              'awslogs-region': await ecs.config.region(),
              'awslogs-stream-prefix': 'app',
            },
          },
        },
      ],
    }),
  );
  const taskDefinitionArn = definition.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new ResourceSetupError('RegisterTaskDefinition returned no ARN');
  const task = await ecs.send(
    new RunTaskCommand({
      cluster: clusterName,
      taskDefinition: taskDefinitionArn,
      launchType: 'EC2',
      ...(options.tags
        ? {
            tags: Object.entries(options.tags).map(([key, value]) => ({ key, value })),
          }
        : {}),
    }),
  );
  const taskArn = task.tasks?.[0]?.taskArn;
  if (!taskArn) throw new ResourceSetupError(`RunTask started no task: ${JSON.stringify(task.failures)}`);

  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: uniqueName('ir-test-task-sg'),
      Description: 'the task ENI group',
      VpcId: (await vpcOf(ec2, subnetId)) ?? undefined,
    }),
  );
  if (!group.GroupId) throw new ResourceSetupError('CreateSecurityGroup returned no id');
  const eni = await ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: subnetId,
      Groups: [group.GroupId],
      Description: `arn:aws:ecs:task-attachment for ${taskArn}`,
    }),
  );
  const networkInterfaceId = eni.NetworkInterface?.NetworkInterfaceId;
  if (!networkInterfaceId) throw new ResourceSetupError('CreateNetworkInterface returned no id');
  return {
    clusterName,
    taskArn,
    taskDefinitionArn,
    networkInterfaceId,
    subnetId,
    securityGroupIds: [group.GroupId],
    logGroup,
  };
}

async function vpcOf(ec2: EC2Client, subnetId: string): Promise<string | undefined> {
  const output = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  return output.Subnets?.[0]?.VpcId;
}

/**
 * The `ElasticNetworkInterface` attachment ECS reports for an `awsvpc` task, in the shape of the AWS
 * CLI's documented `describe-tasks` output for a Fargate task (aws/aws-cli,
 * awscli/examples/ecs/describe-tasks.rst).
 */
export function awsvpcAttachment(networkInterfaceId: string, subnetId: string): Attachment {
  return {
    id: `attachment-${networkInterfaceId}`,
    type: 'ElasticNetworkInterface',
    status: 'ATTACHED',
    details: [
      { name: 'subnetId', value: subnetId },
      { name: 'networkInterfaceId', value: networkInterfaceId },
      { name: 'macAddress', value: '0a:ff:00:00:00:01' },
      { name: 'privateIPv4Address', value: '10.0.0.10' },
    ],
  };
}

/**
 * Adds the `awsvpc` attachment of each task in `enis` to what the emulator's `DescribeTasks`
 * answers, for every `ECSClient` in this process (the services' own clients included), and passes
 * every call through to the emulator first. Emulator gap: see {@link createEcsTask}. Returns a
 * function that restores `send`. Remove it when moto runs `awsvpc` tasks.
 */
export function withAwsvpcAttachments(
  enis: ReadonlyMap<string, { networkInterfaceId: string; subnetId: string }>,
): () => void {
  const original = ECSClient.prototype.send;
  const patched = async function (this: ECSClient, ...args: unknown[]) {
    const output = await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    const [command] = args;
    if (!(command instanceof DescribeTasksCommand)) return output;
    const described = output as DescribeTasksCommandOutput;
    return {
      ...described,
      tasks: (described.tasks ?? []).map((task) => {
        const eni = task.taskArn ? enis.get(task.taskArn) : undefined;
        if (!eni) return task;
        return {
          ...task,
          attachments: [awsvpcAttachment(eni.networkInterfaceId, eni.subnetId)],
        };
      }),
    };
  };
  ECSClient.prototype.send = patched as typeof ECSClient.prototype.send;
  return () => {
    ECSClient.prototype.send = original;
  };
}
