import { describeResource, Resource, type ResourceKind, ResourceKindName, resourceKey } from '@ir/contracts';
import { describe, expect, it } from 'vitest';

/** One resource of every kind, written as a detector would (defaults left out). */
const examples: Record<ResourceKind, unknown> = {
  'ec2-instance': { kind: 'ec2-instance', instanceId: 'i-0abc' },
  'iam-access-key': {
    kind: 'iam-access-key',
    userType: 'AssumedRole',
    roleName: 'app',
    accessKeyId: 'ASIAX',
  },
  's3-bucket': { kind: 's3-bucket', bucketName: 'logs' },
  's3-object': { kind: 's3-object', bucketName: 'uploads', key: 'in/a.pdf', versionId: 'v1' },
  'ecs-cluster': { kind: 'ecs-cluster', clusterName: 'prod' },
  'ecs-task': {
    kind: 'ecs-task',
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0abc',
    clusterName: 'prod',
  },
  'eks-cluster': { kind: 'eks-cluster', clusterName: 'prod' },
  'eks-workload': {
    kind: 'eks-workload',
    clusterName: 'prod',
    namespace: 'web',
    workloadName: 'web-1',
    workloadType: 'pods',
  },
  'lambda-function': {
    kind: 'lambda-function',
    functionName: 'render',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:render',
    version: '7',
  },
  'rds-database': { kind: 'rds-database', dbInstanceIdentifier: 'orders-1', dbClusterIdentifier: 'orders' },
  container: { kind: 'container', containerId: 'abcd1234', name: 'miner' },
  other: { kind: 'other', resourceType: 'AwsEc2SecurityGroup', id: 'sg-0abc' },
};

describe('resourceKey', () => {
  it.each([
    ['ec2-instance', 'ec2-instance:i-0abc'],
    ['iam-access-key', 'iam-access-key:role/app'],
    ['s3-bucket', 's3-bucket:logs'],
    ['s3-object', 's3-object:uploads/in/a.pdf#v1'],
    ['ecs-cluster', 'ecs-cluster:prod'],
    ['ecs-task', 'ecs-task:arn:aws:ecs:us-east-1:123456789012:task/prod/0abc'],
    ['eks-cluster', 'eks-cluster:prod'],
    ['eks-workload', 'eks-workload:prod/web/pods/web-1'],
    ['lambda-function', 'lambda-function:arn:aws:lambda:us-east-1:123456789012:function:render'],
    ['rds-database', 'rds-database:instance/orders-1'],
    ['container', 'container:abcd1234'],
    ['other', 'other:AwsEc2SecurityGroup:sg-0abc'],
  ] as const)('keys a %s as %s', (kind, key) => {
    // Prepare
    const resource = Resource.parse(examples[kind]);
    // Act, Assess
    expect(resourceKey(resource)).toBe(key);
  });

  it('keys every version and alias of a Lambda function as the one function', () => {
    // Prepare
    const arns = [
      'arn:aws:lambda:us-east-1:123456789012:function:render',
      'arn:aws:lambda:us-east-1:123456789012:function:render:7',
      'arn:aws:lambda:us-east-1:123456789012:function:render:live',
    ];
    // Act
    const keys = arns.map((functionArn) =>
      resourceKey(Resource.parse({ kind: 'lambda-function', functionName: 'render', functionArn })),
    );
    // Assess
    expect(new Set(keys)).toEqual(
      new Set(['lambda-function:arn:aws:lambda:us-east-1:123456789012:function:render']),
    );
  });

  it('keys an S3 object without a version by bucket and key', () => {
    expect(resourceKey(Resource.parse({ kind: 's3-object', bucketName: 'b', key: 'k/x' }))).toBe(
      's3-object:b/k/x',
    );
  });

  it('keys an RDS database by cluster, then shard group, when it names no instance', () => {
    expect(resourceKey(Resource.parse({ kind: 'rds-database', dbClusterIdentifier: 'orders' }))).toBe(
      'rds-database:cluster/orders',
    );
    expect(resourceKey(Resource.parse({ kind: 'rds-database', dbShardGroupIdentifier: 'shards' }))).toBe(
      'rds-database:shard-group/shards',
    );
  });

  it('refuses an RDS database that names neither instance, cluster nor shard group', () => {
    expect(Resource.safeParse({ kind: 'rds-database', engine: 'postgres' }).success).toBe(false);
  });

  it('has one example per kind, so a new kind cannot be added without a key test', () => {
    expect(Object.keys(examples).sort()).toEqual([...ResourceKindName.options].sort());
  });
});

describe('describeResource', () => {
  it.each([
    ['s3-object', 'S3 object in/a.pdf (version v1) in bucket uploads'],
    ['ecs-task', 'ECS task 0abc in cluster prod'],
    ['eks-workload', 'EKS pod web/web-1 in cluster prod'],
    ['lambda-function', 'Lambda function render:7'],
    ['rds-database', 'RDS instance orders-1'],
    ['container', 'container miner'],
  ] as const)('names a %s readably', (kind, text) => {
    expect(describeResource(Resource.parse(examples[kind]))).toBe(text);
  });
});
