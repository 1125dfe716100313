import type { Finding, SeverityBand } from '@ir/contracts';
import type { Dimension, DimensionItems } from './dimensions.js';
import { actorOf, trailOf } from './finding-details.js';

/** What templates and conditions are evaluated against: the finding and the current fan-out items. */
export interface PlanContext {
  readonly finding: Finding;
  readonly band: SeverityBand;
  readonly audience: string;
  readonly playbookId: string;
  readonly items: Partial<{ [D in Dimension]: DimensionItems[D] }>;
}

/** A template variable: the fan-out dimension it needs (if any), a sample for load-time checks, its value. */
interface Variable {
  readonly dimension?: Dimension;
  /** A valid value of the right type, used to validate params against the contracts schema at load. */
  readonly sample: unknown;
  readonly get: (context: PlanContext) => unknown;
}

function item<D extends Dimension, K extends keyof DimensionItems[D]>(
  dimension: D,
  field: K,
  sample: unknown,
): Variable {
  return {
    dimension,
    sample,
    get: (context) => (context.items[dimension] as DimensionItems[D] | undefined)?.[field],
  };
}

/**
 * Every variable a playbook may use as `${name}` (or `${name?}` when it may be absent). Why a closed
 * list: a misspelt variable is rejected when the playbook loads, not discovered during an incident.
 */
export const variables: Readonly<Record<string, Variable>> = {
  'playbook.id': { sample: 'ec2-compromise', get: (c) => c.playbookId },
  severityBand: { sample: 'HIGH', get: (c) => c.band },
  audience: { sample: 'team', get: (c) => c.audience },
  'finding.id': { sample: 'finding-1', get: (c) => c.finding.id },
  'finding.type': { sample: 'Backdoor:EC2/C&CActivity.B!DNS', get: (c) => c.finding.type },
  'finding.title': { sample: 'A finding', get: (c) => c.finding.title },
  'finding.source': { sample: 'guardduty', get: (c) => c.finding.source },
  'finding.accountId': { sample: '123456789012', get: (c) => c.finding.accountId },
  'finding.region': { sample: 'us-east-1', get: (c) => c.finding.region },
  'finding.count': { sample: 1, get: (c) => c.finding.count },
  'finding.createdAt': { sample: '2024-05-02T14:00:00.000Z', get: (c) => c.finding.createdAt },
  'finding.severity.score': { sample: 8, get: (c) => c.finding.severity.score },
  'finding.severity.label': { sample: 'HIGH', get: (c) => c.finding.severity.label },
  'finding.network.domain': { sample: 'example.com', get: (c) => c.finding.network?.domain },
  'finding.network.direction': { sample: 'outbound', get: (c) => c.finding.network?.direction },
  'finding.controlId': { sample: 'EC2.13', get: (c) => c.finding.controlId },
  'finding.apiCall.api': { sample: 'StopLogging', get: (c) => c.finding.apiCall?.api },
  'finding.trail': {
    sample: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management',
    get: (c) => trailOf(c.finding),
  },
  'finding.actor.userName': {
    sample: 'alice',
    get: (c) => actorOf(c.finding)?.userName ?? actorOf(c.finding)?.roleName,
  },
  'finding.actor.principalId': { sample: 'AIDAEXAMPLE', get: (c) => actorOf(c.finding)?.principalId },
  'finding.actor.accessKeyId': {
    sample: 'AKIAIOSFODNN7EXAMPLE',
    get: (c) => actorOf(c.finding)?.accessKeyId,
  },
  'finding.actor.userType': { sample: 'IAMUser', get: (c) => actorOf(c.finding)?.userType },
  'finding.actor.sourceIp': { sample: '203.0.113.10', get: (c) => c.finding.network?.remoteIps[0]?.ip },
  'instance.instanceId': item('instance', 'instanceId', 'i-0123456789abcdef0'),
  'instance.instanceType': item('instance', 'instanceType', 't3.micro'),
  'instance.imageId': item('instance', 'imageId', 'ami-0123456789abcdef0'),
  'instance.iamInstanceProfileArn': item(
    'instance',
    'iamInstanceProfileArn',
    'arn:aws:iam::123456789012:instance-profile/app',
  ),
  'principal.userName': item('principal', 'userName', 'alice'),
  'principal.accessKeyId': item('principal', 'accessKeyId', 'AKIAIOSFODNN7EXAMPLE'),
  'principal.roleName': item('principal', 'roleName', 'app-role'),
  'principal.roleArn': item('principal', 'roleArn', 'arn:aws:iam::123456789012:role/app-role'),
  'principal.userType': item('principal', 'userType', 'IAMUser'),
  'principal.principalId': item('principal', 'principalId', 'AIDAEXAMPLE'),
  'bucket.bucketName': item('bucket', 'bucketName', 'example-bucket'),
  'bucket.arn': item('bucket', 'arn', 'arn:aws:s3:::example-bucket'),
  'other.resourceType': item('other', 'resourceType', 'EKSCluster'),
  'other.id': item('other', 'id', 'cluster-1'),
  'subnet.subnetId': item('subnet', 'subnetId', 'subnet-0123456789abcdef0'),
  'subnet.vpcId': item('subnet', 'vpcId', 'vpc-0123456789abcdef0'),
  'securityGroup.groupId': item('securityGroup', 'groupId', 'sg-0123456789abcdef0'),
  'securityGroup.arn': item(
    'securityGroup',
    'arn',
    'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0',
  ),
  's3Object.bucketName': item('s3Object', 'bucketName', 'example-bucket'),
  's3Object.key': item('s3Object', 'key', 'uploads/invoice.pdf'),
  's3Object.versionId': item('s3Object', 'versionId', '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY'),
  'lambdaFunction.functionName': item('lambdaFunction', 'functionName', 'invoice-renderer'),
  'lambdaFunction.functionArn': item(
    'lambdaFunction',
    'functionArn',
    'arn:aws:lambda:us-east-1:123456789012:function:invoice-renderer',
  ),
  'lambdaFunction.version': item('lambdaFunction', 'version', '7'),
  'lambdaFunction.roleArn': item('lambdaFunction', 'roleArn', 'arn:aws:iam::123456789012:role/app-role'),
  // The execution role's name (the last part of its ARN, after any path), for contain.role-sessions.
  'lambdaFunction.roleName': {
    dimension: 'lambdaFunction',
    sample: 'app-role',
    get: (c) => c.items.lambdaFunction?.roleArn?.split('/').pop() || undefined,
  },
  // The cluster when there is one (what the RDS steps act on), else the instance or shard group.
  'rdsDatabase.id': {
    dimension: 'rdsDatabase',
    sample: 'orders-cluster',
    get: (c) => {
      const db = c.items.rdsDatabase;
      return db?.dbClusterIdentifier ?? db?.dbInstanceIdentifier ?? db?.dbShardGroupIdentifier;
    },
  },
  'rdsDatabase.dbInstanceIdentifier': item('rdsDatabase', 'dbInstanceIdentifier', 'orders-db'),
  'rdsDatabase.dbClusterIdentifier': item('rdsDatabase', 'dbClusterIdentifier', 'orders-cluster'),
  'rdsDatabase.engine': item('rdsDatabase', 'engine', 'aurora-postgresql'),
  'rdsDatabase.dbUser': {
    dimension: 'rdsDatabase',
    sample: 'app_user',
    get: (c) => c.items.rdsDatabase?.dbUser?.user,
  },
  'ecsTask.taskArn': item(
    'ecsTask',
    'taskArn',
    'arn:aws:ecs:us-east-1:123456789012:task/orders/0f1e2d3c4b5a69788',
  ),
  'ecsTask.clusterName': item('ecsTask', 'clusterName', 'orders'),
  'ecsTask.launchType': item('ecsTask', 'launchType', 'FARGATE'),
  'ecsTask.taskDefinitionArn': item(
    'ecsTask',
    'taskDefinitionArn',
    'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:12',
  ),
  'eksCluster.clusterName': item('eksCluster', 'clusterName', 'payments-prod'),
  'eksCluster.clusterArn': item(
    'eksCluster',
    'clusterArn',
    'arn:aws:eks:us-east-1:123456789012:cluster/payments-prod',
  ),
  'eksWorkload.clusterName': item('eksWorkload', 'clusterName', 'payments-prod'),
  'eksWorkload.namespace': item('eksWorkload', 'namespace', 'payments'),
  'eksWorkload.workloadName': item('eksWorkload', 'workloadName', 'api-7d9f8'),
  'eksWorkload.workloadType': item('eksWorkload', 'workloadType', 'pods'),
  'eksWorkload.uid': item('eksWorkload', 'uid', '9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'),
  'eksWorkload.serviceAccountName': item('eksWorkload', 'serviceAccountName', 'api'),
  // The node the workload runs on (runtime findings name it), for the node-side steps of a pod.
  'eksWorkload.nodeInstanceId': {
    dimension: 'eksWorkload',
    sample: 'i-0123456789abcdef0',
    get: (c) => c.items.eksWorkload?.node?.instanceId,
  },
  'eksNode.instanceId': item('eksNode', 'instanceId', 'i-0123456789abcdef0'),
  'eksNode.clusterName': item('eksNode', 'clusterName', 'payments-prod'),
  'remoteIp.ip': item('remoteIp', 'ip', '203.0.113.10'),
  'remoteIp.cidr': item('remoteIp', 'cidr', '203.0.113.10/32'),
  'remoteIp.port': item('remoteIp', 'port', 443),
  'remoteIp.country': item('remoteIp', 'country', 'Exampleland'),
  'remoteIp.org': item('remoteIp', 'org', 'Example Org'),
};

/** The variable named `name`, if it exists. */
export function variableOf(name: string): Variable | undefined {
  return Object.hasOwn(variables, name) ? variables[name] : undefined;
}
