import type { TaggableResource } from '@ir/contracts';
import type { StepContext } from '@ir/runtime';

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

/** Obtains the SDK client of the step's target account and region. */
export type TagClient = StepContext['client'];

/**
 * The tag access of `resource`, after checking it exists (a missing one is `ResourceNotFoundError`),
 * or why it cannot be tagged.
 */
export async function tagAccessOf(
  resource: TaggableResource,
  client: TagClient,
): Promise<TagAccess | NotTaggable> {
  // Each kind's module (and its SDK client package) is imported only when a resource of that kind is
  // tagged: an EC2 incident loads no Lambda, RDS, ECS or EKS client.
  switch (resource.kind) {
    case 'ec2-instance':
      return (await import('./tag-access-ec2.js')).ec2Instance(client, resource.instanceId);
    case 'iam-user':
    case 'iam-access-key':
      return (await import('./tag-access-iam.js')).iamUser(client, resource.userName, resource.kind);
    case 'iam-role':
      return (await import('./tag-access-iam.js')).iamRole(client, resource.roleName);
    case 's3-bucket':
      return (await import('./tag-access-s3.js')).s3Bucket(client, resource.bucketName);
    case 'lambda-function':
      return (await import('./tag-access-lambda.js')).lambdaFunction(client, resource.functionName);
    case 'rds-database':
      return (await import('./tag-access-rds.js')).rdsDatabase(client, resource);
    case 'ecs-task':
      return (await import('./tag-access-ecs.js')).ecsTask(client, resource.taskArn, resource.cluster);
    case 'eks-cluster':
      return (await import('./tag-access-eks.js')).eksCluster(client, resource.clusterName);
    case 'other':
      return {
        notTaggable: `${resource.resourceType} ${resource.id} is a resource kind the isolator does not tag; tag it by hand if its service supports tags`,
      };
  }
}
