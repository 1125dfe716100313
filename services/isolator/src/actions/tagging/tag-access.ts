import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeTasksCommand,
  ECSClient,
  TagResourceCommand as EcsTag,
  UntagResourceCommand as EcsUntag,
} from '@aws-sdk/client-ecs';
import {
  EKSClient,
  TagResourceCommand as EksTag,
  UntagResourceCommand as EksUntag,
} from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  IAMClient,
  ListRoleTagsCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import {
  LambdaClient,
  TagResourceCommand as LambdaTag,
  UntagResourceCommand as LambdaUntag,
} from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import {
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { TaggableResource } from '@ir/contracts';
import type { StepContext } from '@ir/runtime';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { tagList, tagMap } from '../../aws/tags.js';
import { describeTask } from '../ecs/task.js';
import { describeCluster } from '../eks/endpoint-state.js';
import { userTags } from '../iam/iam-common.js';
import { describeFunction } from '../lambda/function-state.js';
import { addRdsTags, describeDatabase, describeRds, rdsTags, removeRdsTags } from '../rds/rds-database.js';

/**
 * Reading and writing the tags of one resource, whatever its kind. `write` adds or overwrites only the
 * keys it is given and `remove` removes only the keys it is given: no other tag of the owner's is
 * changed. `write` in dry-run makes no change (EC2 sends its `DryRun` form, the others nothing).
 */
export interface TagAccess {
  /** `instance i-0…`, `bucket reports`, for messages. */
  readonly where: string;
  /** The identifiers of what is actually tagged (an access key's user, an RDS member's cluster). */
  readonly tagged: Readonly<Record<string, string>>;
  read(): Promise<Record<string, string>>;
  write(tags: Readonly<Record<string, string>>, dryRun: boolean): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
}

/** Why a resource cannot be tagged: the step is skipped with this reason, never reported as done. */
export interface NotTaggable {
  readonly notTaggable: string;
}

type Client = StepContext['client'];

/**
 * The tag access of `resource`, after checking it exists (a missing one is `ResourceNotFoundError`),
 * or why it cannot be tagged.
 */
export async function tagAccessOf(
  resource: TaggableResource,
  client: Client,
): Promise<TagAccess | NotTaggable> {
  switch (resource.kind) {
    case 'ec2-instance':
      return ec2Instance(await client(EC2Client), resource.instanceId);
    case 'iam-user':
    case 'iam-access-key':
      return iamUser(await client(IAMClient), resource.userName, resource.kind);
    case 'iam-role':
      return iamRole(await client(IAMClient), resource.roleName);
    case 's3-bucket':
      return s3Bucket(await client(S3Client), resource.bucketName);
    case 'lambda-function':
      return lambdaFunction(await client(LambdaClient), resource.functionName);
    case 'rds-database':
      return rdsDatabase(await client(RDSClient), resource);
    case 'ecs-task':
      return ecsTask(await client(ECSClient), resource.taskArn, resource.cluster);
    case 'eks-cluster':
      return eksCluster(await client(EKSClient), resource.clusterName);
    case 'other':
      return {
        notTaggable: `${resource.resourceType} ${resource.id} is a resource kind the isolator does not tag; tag it by hand if its service supports tags`,
      };
  }
}

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  let instance: Instance | undefined;
  try {
    instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]
      ?.Instances?.[0];
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
  }
  const state = instance?.State?.Name;
  if (!instance || state === 'terminated') {
    throw new ResourceNotFoundError(`instance ${instanceId} not found${state ? ` (${state})` : ''}`, {
      instanceId,
    });
  }
  return instance;
}

async function ec2Instance(ec2: EC2Client, instanceId: string): Promise<TagAccess> {
  await describeInstance(ec2, instanceId);
  return {
    where: `instance ${instanceId}`,
    tagged: { instanceId },
    read: async () => tagMap((await describeInstance(ec2, instanceId)).Tags),
    write: (tags, dryRun) =>
      sendEc2Write(
        (DryRun) => ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tagList(tags), DryRun })),
        dryRun,
      ),
    remove: async (keys) => {
      if (keys.length === 0) return;
      await ec2.send(new DeleteTagsCommand({ Resources: [instanceId], Tags: keys.map((Key) => ({ Key })) }));
    },
  };
}

async function readUserTags(iam: IAMClient, userName: string): Promise<Record<string, string>> {
  try {
    return await userTags(iam, userName);
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM user ${userName} not found`, { userName });
    }
    throw error;
  }
}

/** A user, or an access key's user: IAM access keys carry no tags, so the key's user is tagged. */
async function iamUser(iam: IAMClient, userName: string, kind: string): Promise<TagAccess> {
  await readUserTags(iam, userName);
  return {
    where:
      kind === 'iam-access-key' ? `IAM user ${userName} (the access key's user)` : `IAM user ${userName}`,
    tagged: { userName },
    read: () => readUserTags(iam, userName),
    write: async (tags, dryRun) => {
      if (!dryRun) await iam.send(new TagUserCommand({ UserName: userName, Tags: tagList(tags) }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [...keys] }));
    },
  };
}

async function iamRole(iam: IAMClient, roleName: string): Promise<TagAccess | NotTaggable> {
  let path: string | undefined;
  try {
    path = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Path;
  } catch (error: unknown) {
    if (hasErrorCode(error, 'NoSuchEntity')) {
      throw new ResourceNotFoundError(`IAM role ${roleName} not found`, { roleName });
    }
    throw error;
  }
  // IAM refuses tags on service-linked roles (their path is /aws-service-role/…), as TRAPS 9 expects.
  if (path?.startsWith('/aws-service-role/')) {
    return {
      notTaggable: `IAM role ${roleName} is a service-linked role, which IAM does not let anyone tag`,
    };
  }
  return {
    where: `IAM role ${roleName}`,
    tagged: { roleName },
    read: async () => tagMap((await iam.send(new ListRoleTagsCommand({ RoleName: roleName }))).Tags),
    write: async (tags, dryRun) => {
      if (!dryRun) await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: tagList(tags) }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await iam.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: [...keys] }));
    },
  };
}

async function bucketTags(s3: S3Client, bucketName: string): Promise<Record<string, string>> {
  try {
    return tagMap((await s3.send(new GetBucketTaggingCommand({ Bucket: bucketName }))).TagSet);
  } catch (error: unknown) {
    // A bucket with no tags answers NoSuchTagSet, not an empty set.
    if (hasErrorCode(error, 'NoSuchTagSet')) return {};
    if (hasErrorCode(error, 'NoSuchBucket')) {
      throw new ResourceNotFoundError(`bucket ${bucketName} not found`, { bucketName });
    }
    throw error;
  }
}

/**
 * S3 has no "add tags" call: PutBucketTagging REPLACES the bucket's whole tag set, and a tag set
 * written from only our keys would delete every tag of the owner's (cost allocation, ownership, the
 * protected tag). So every write and removal reads the current set, changes only our keys, and writes
 * the whole set back; the caller reads it back afterwards. An empty result is DeleteBucketTagging
 * (PutBucketTagging refuses an empty set).
 */
function s3Bucket(s3: S3Client, bucketName: string): Promise<TagAccess> {
  const put = async (tags: Record<string, string>) => {
    if (Object.keys(tags).length === 0) {
      await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucketName }));
      return;
    }
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucketName, Tagging: { TagSet: tagList(tags) } }));
  };
  return bucketTags(s3, bucketName).then(() => ({
    where: `bucket ${bucketName}`,
    tagged: { bucketName },
    read: () => bucketTags(s3, bucketName),
    write: async (tags, dryRun) => {
      const current = await bucketTags(s3, bucketName);
      if (!dryRun) await put({ ...current, ...tags });
    },
    remove: async (keys) => {
      if (keys.length === 0) return;
      const current = await bucketTags(s3, bucketName);
      const kept = Object.fromEntries(Object.entries(current).filter(([key]) => !keys.includes(key)));
      await put(kept);
    },
  }));
}

async function lambdaFunction(lambda: LambdaClient, functionName: string): Promise<TagAccess> {
  const { functionArn } = await describeFunction(lambda, functionName);
  return {
    where: `Lambda function ${functionName}`,
    tagged: { functionName, functionArn },
    read: async () => (await describeFunction(lambda, functionName)).tags,
    write: async (tags, dryRun) => {
      if (!dryRun) await lambda.send(new LambdaTag({ Resource: functionArn, Tags: { ...tags } }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await lambda.send(new LambdaUntag({ Resource: functionArn, TagKeys: [...keys] }));
    },
  };
}

/** The cluster when the database has one (an Aurora member is tagged through its cluster), else the instance. */
async function rdsDatabase(
  rds: RDSClient,
  target: { dbInstanceIdentifier?: string | undefined; dbClusterIdentifier?: string | undefined },
): Promise<TagAccess> {
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

async function ecsTask(ecs: ECSClient, taskArn: string, cluster: string | undefined): Promise<TagAccess> {
  const task = await describeTask(ecs, taskArn, cluster);
  const arn = task.taskArn ?? taskArn;
  return {
    where: `ECS task ${arn}`,
    tagged: { taskArn: arn },
    read: async () => {
      const output = await ecs.send(
        new DescribeTasksCommand({ cluster: task.clusterArn, tasks: [arn], include: ['TAGS'] }),
      );
      return Object.fromEntries(
        (output.tasks?.[0]?.tags ?? []).flatMap((t) => (t.key ? [[t.key, t.value ?? '']] : [])),
      );
    },
    write: async (tags, dryRun) => {
      if (dryRun) return;
      const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
      await ecs.send(new EcsTag({ resourceArn: arn, tags: list }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await ecs.send(new EcsUntag({ resourceArn: arn, tagKeys: [...keys] }));
    },
  };
}

async function eksCluster(eks: EKSClient, clusterName: string): Promise<TagAccess> {
  const { arn } = await describeCluster(eks, clusterName);
  return {
    where: `EKS cluster ${clusterName}`,
    tagged: { clusterName },
    read: async () => ({ ...(await describeCluster(eks, clusterName)).tags }),
    write: async (tags, dryRun) => {
      if (!dryRun) await eks.send(new EksTag({ resourceArn: arn, tags: { ...tags } }));
    },
    remove: async (keys) => {
      if (keys.length > 0) await eks.send(new EksUntag({ resourceArn: arn, tagKeys: [...keys] }));
    },
  };
}
