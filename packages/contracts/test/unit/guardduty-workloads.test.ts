import {
  type ContainerResource,
  type EcsTaskResource,
  type EksClusterResource,
  type EksWorkloadResource,
  type Finding,
  type LambdaFunctionResource,
  parseFindings,
  type RdsDatabaseResource,
  resourceKey,
  type S3ObjectResource,
} from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { apiShapeOf } from '../fixtures/api-shape.js';
import { sourcedFixture } from '../fixtures/load-fixture.js';

/** Parses a sourced EventBridge fixture in both shapes: as delivered, and as GetFindings returns it. */
function bothShapes(name: string): [string, Finding][] {
  const event = sourcedFixture(name);
  const [fromEvent] = parseFindings(JSON.stringify(event));
  const [fromApi] = parseFindings(JSON.stringify(apiShapeOf(event)));
  if (!fromEvent || !fromApi) throw new Error(`${name} parsed to no finding`);
  return [
    ['EventBridge', fromEvent],
    ['GetFindings API', fromApi],
  ];
}

function only<T>(finding: Finding): T {
  expect(finding.resources).toHaveLength(1);
  return finding.resources[0] as T;
}

describe('GuardDuty EKS findings', () => {
  it.each(bothShapes('guardduty-eventbridge-eks-runtime.json'))(
    'keeps the pod, namespace, service account, containers and node of a runtime finding (%s)',
    (_shape, finding) => {
      // Assess
      const pod = only<EksWorkloadResource>(finding);
      expect(pod).toEqual({
        kind: 'eks-workload',
        clusterName: 'GeneratedFindingEKSClusterName',
        clusterArn: 'arn:aws:eks:us-east-1:123456789000:cluster/GeneratedFindingEKSClusterName',
        namespace: 'GeneratedFindingKubernetesWorkloadNamespace',
        workloadName: 'GeneratedFindingKubernetesWorkloadName',
        workloadType: 'pods',
        uid: 'GeneratedFindingKubernetesWorkloadUID',
        serviceAccountName: 'GeneratedFindingServiceAccountName',
        hostNetwork: false,
        containers: [
          {
            containerId: 'GeneratedFindingContainerId',
            name: 'GeneratedFindingContainerName',
            image: 'GeneratedFindingContainerImage',
            runtime: 'containerd',
            privileged: true,
          },
        ],
        labels: {},
        node: expect.objectContaining({
          instanceId: 'i-0f1e2d3c4b5a69788',
          iamInstanceProfileArn: 'arn:aws:iam::123456789000:instance-profile/eks-node-group',
          networkInterfaces: [
            expect.objectContaining({
              networkInterfaceId: 'eni-0f1e2d3c4b5a69788',
              securityGroups: [{ groupId: 'sg-0eks00000000000001', groupName: 'eks-cluster-sg' }],
            }),
          ],
        }),
        tags: { GeneratedFindingEKSClusterTag1: 'GeneratedFindingEKSClusterTagValue1' },
      });
      expect(resourceKey(pod)).toBe(
        'eks-workload:GeneratedFindingEKSClusterName/GeneratedFindingKubernetesWorkloadNamespace/pods/GeneratedFindingKubernetesWorkloadName',
      );
      expect(finding.runtime?.process).toMatchObject({
        name: 'GeneratedFindingProcessName',
        executableSha256: 'GeneratedFindingHash',
        pid: 1234,
        user: 'ec2-user',
        startTime: '2023-06-01T13:14:57.000Z',
      });
      expect(finding.runtime?.process?.lineage).toHaveLength(2);
      expect(finding.runtime?.context).toEqual({ releaseAgentPath: 'GeneratedFindingPath' });
    },
  );

  it('keeps the cluster and the Kubernetes user of an audit-log finding without a workload (API sample)', () => {
    // Prepare
    const response = sourcedFixture('guardduty-api-eks-audit.json');
    // Act
    const [finding] = parseFindings(response);
    // Assess
    const cluster = only<EksClusterResource>(finding as Finding);
    expect(cluster).toEqual({
      kind: 'eks-cluster',
      clusterName: 'GeneratedFindingEKSClusterName',
      clusterArn: 'GeneratedFindingEKSClusterArn',
      vpcId: 'GeneratedFindingEKSClusterVpcId',
      status: 'ACTIVE',
      tags: {
        GeneratedFindingEKSClusterTag1: 'GeneratedFindingEKSClusterTagValue1',
        GeneratedFindingEKSClusterTag2: 'GeneratedFindingEKSClusterTagValue2',
      },
    });
    expect(resourceKey(cluster)).toBe('eks-cluster:GeneratedFindingEKSClusterName');
    expect(finding?.actor).toEqual({
      userType: 'Role',
      userName: 'GeneratedFindingUserName',
      principalId: 'GeneratedFindingPrincipalId',
      accessKeyId: 'GeneratedFindingAccessKeyId',
      sourceIp: '175.16.199.1',
      sourceCountry: 'GeneratedFindingCountryName',
      sourceOrg: 'GeneratedFindingORG',
      kubernetesUser: {
        username: 'GeneratedFindingUserName',
        uid: 'GeneratedFindingUID',
        groups: ['GeneratedFindingUserGroup'],
        sessionNames: [],
      },
    });
    expect(finding?.network).toMatchObject({ remoteIps: [{ ip: '175.16.199.1' }], direction: 'inbound' });
    expect(finding?.sample).toBe(true);
  });
});

describe('GuardDuty ECS findings', () => {
  it('keeps the task, its definition, launch type and containers (API sample)', () => {
    // Prepare
    const response = sourcedFixture('guardduty-api-ecs-task.json');
    // Act
    const [finding] = parseFindings(response);
    // Assess
    const task = only<EcsTaskResource>(finding as Finding);
    expect(task).toEqual({
      kind: 'ecs-task',
      taskArn: 'arn:aws:ecs:us-east-1:123456789000:task/GeneratedFindingECSClusterName/043de9ab3',
      clusterName: 'GeneratedFindingECSClusterName',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789000:cluster/GeneratedFindingECSClusterName',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789000:task-definition/mycluster/76f1f1asdf',
      taskDefinitionVersion: '1',
      launchType: 'FARGATE',
      startedBy: 'GeneratedFindingECSTaskStartedBy',
      containers: [
        {
          containerId: 'GeneratedFindingContainerId',
          name: 'GeneratedFindingContainerName',
          image: 'GeneratedFindingContainerImage',
          runtime: 'containerd',
        },
      ],
      networkInterfaces: [],
      tags: { GeneratedFindingECSClusterTag1: 'GeneratedFindingECSClusterTagValue1' },
    });
    expect(resourceKey(task)).toBe(
      'ecs-task:arn:aws:ecs:us-east-1:123456789000:task/GeneratedFindingECSClusterName/043de9ab3',
    );
    expect(finding?.network).toMatchObject({ domain: 'GeneratedFindingDomainName', direction: 'outbound' });
    expect(finding?.runtime?.process).toMatchObject({ name: 'GeneratedFindingProcessName', pid: 1234 });
  });

  it('keeps the same task when the finding arrives through EventBridge (camelCase)', () => {
    // Prepare
    const response = sourcedFixture('guardduty-api-ecs-task.json') as { Findings: Record<string, unknown>[] };
    const detail = camelKeys(response.Findings[0]);
    // Act
    const [fromEvent] = parseFindings({
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      detail,
    });
    const [fromApi] = parseFindings(response);
    // Assess
    expect(fromEvent?.resources).toEqual(fromApi?.resources);
  });

  it('names the cluster alone when the finding has no task', () => {
    // Prepare
    const response = sourcedFixture('guardduty-api-ecs-task.json') as { Findings: Record<string, unknown>[] };
    const finding = structuredClone(response.Findings[0]) as {
      Resource: { EcsClusterDetails: Record<string, unknown> };
    };
    delete finding.Resource.EcsClusterDetails.TaskDetails;
    // Act
    const [parsed] = parseFindings({ Findings: [finding] });
    // Assess
    expect(parsed?.resources).toEqual([
      expect.objectContaining({ kind: 'ecs-cluster', clusterName: 'GeneratedFindingECSClusterName' }),
    ]);
  });
});

describe('GuardDuty Lambda findings', () => {
  it.each(bothShapes('guardduty-eventbridge-lambda.json'))(
    'keeps the function without its version, the version, role and VPC configuration (%s)',
    (_shape, finding) => {
      // Assess
      const fn = only<LambdaFunctionResource>(finding);
      expect(fn).toEqual({
        kind: 'lambda-function',
        functionName: 'invoice-renderer',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:invoice-renderer',
        version: '7',
        roleArn: 'arn:aws:iam::123456789012:role/invoice-renderer-exec',
        revisionId: '9a2b1f44-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
        vpcConfig: {
          vpcId: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
          securityGroups: [{ groupId: 'sg-0lambda000000000001', groupName: 'invoice-renderer' }],
        },
        tags: { team: 'billing' },
      });
      expect(resourceKey(fn)).toBe(
        'lambda-function:arn:aws:lambda:us-east-1:123456789012:function:invoice-renderer',
      );
      expect(finding.network?.remoteIps).toEqual([
        { ip: '198.51.100.77', port: 443, country: 'Netherlands', org: 'Example Hosting' },
      ]);
    },
  );
});

describe('GuardDuty RDS findings', () => {
  it.each(bothShapes('guardduty-eventbridge-rds-login.json'))(
    'keeps the instance, its cluster, engine and the database user (%s)',
    (_shape, finding) => {
      // Assess
      const db = only<RdsDatabaseResource>(finding);
      expect(db).toEqual({
        kind: 'rds-database',
        dbInstanceIdentifier: 'GeneratedFindingDBInstanceId',
        dbInstanceArn: 'arn:aws:rds:us-east-1:123456789000:db:GeneratedFindingDBInstanceId',
        dbClusterIdentifier: 'GeneratedFindingDBClusterId',
        engine: 'GeneratedFindingEngine',
        engineVersion: '13.6',
        dbUser: {
          user: 'GeneratedFindingUserName',
          application: 'GeneratedFindingApplicationName',
          database: 'GeneratedFindingDatabaseName',
          ssl: 'GeneratedSSLValue',
          authMethod: 'GeneratedFindingAuthMethod',
        },
        tags: {},
      });
      expect(resourceKey(db)).toBe('rds-database:instance/GeneratedFindingDBInstanceId');
      expect(finding.network).toMatchObject({ remoteIps: [{ ip: '175.16.199.1' }], direction: 'inbound' });
    },
  );

  it('takes the user from the login attempt when rdsDbUserDetails is missing', () => {
    // Prepare
    const event = structuredClone(sourcedFixture('guardduty-eventbridge-rds-login.json')) as {
      detail: {
        resource: Record<string, unknown>;
        service: { action: { rdsLoginAttemptAction: Record<string, unknown> } };
      };
    };
    delete event.detail.resource.rdsDbUserDetails;
    event.detail.service.action.rdsLoginAttemptAction.loginAttributes = [
      { user: 'app_rw', application: 'psql', failedLoginAttempts: 0, successfulLoginAttempts: 1 },
    ];
    // Act
    const [finding] = parseFindings(event);
    // Assess
    expect((finding?.resources[0] as RdsDatabaseResource | undefined)?.dbUser).toEqual({ user: 'app_rw' });
  });

  it('keeps an Aurora Limitless shard group (RDSLimitlessDB)', () => {
    // Prepare
    const event = structuredClone(sourcedFixture('guardduty-eventbridge-rds-login.json')) as {
      detail: { resource: Record<string, unknown> };
    };
    event.detail.resource = {
      resourceType: 'RDSLimitlessDB',
      rdsLimitlessDbDetails: {
        dbShardGroupIdentifier: 'orders-shards',
        dbShardGroupResourceId: 'shardgroup-0a1b2c3d',
        dbShardGroupArn: 'arn:aws:rds:us-east-1:123412341234:shard-group:orders-shards',
        dbClusterIdentifier: 'orders-limitless',
        engine: 'aurora-postgresql',
        engineVersion: '16.4-limitless',
        tags: [],
      },
      rdsDbUserDetails: { user: 'admin', database: 'orders' },
    };
    // Act
    const [finding] = parseFindings(event);
    // Assess
    const db = finding?.resources[0] as RdsDatabaseResource;
    expect(db).toMatchObject({
      kind: 'rds-database',
      dbClusterIdentifier: 'orders-limitless',
      dbShardGroupIdentifier: 'orders-shards',
      dbUser: { user: 'admin', database: 'orders' },
    });
    expect(resourceKey(db)).toBe('rds-database:cluster/orders-limitless');
  });
});

describe('GuardDuty Malware Protection for S3 findings', () => {
  it.each(bothShapes('guardduty-eventbridge-s3-malware.json'))(
    'keeps the bucket, key, version, ETag and hash of the object, and the threat (%s)',
    (_shape, finding) => {
      // Assess
      const object = only<S3ObjectResource>(finding);
      expect(object).toEqual({
        kind: 's3-object',
        bucketName: 'acme-uploads',
        key: 'incoming/invoice-2024-05.pdf',
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        eTag: '44d88612fea8a8f36de82e1278abb02f',
        hash: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
        objectArn: 'arn:aws:s3:::acme-uploads/incoming/invoice-2024-05.pdf',
        bucketArn: 'arn:aws:s3:::acme-uploads',
        tags: { 'data-class': 'customer' },
      });
      expect(resourceKey(object)).toBe(
        's3-object:acme-uploads/incoming/invoice-2024-05.pdf#3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      );
      expect(finding.malware?.threats).toEqual([
        expect.objectContaining({ name: 'EICAR-Test-File (not a virus)', source: 'Bitdefender' }),
      ]);
    },
  );
});

describe('GuardDuty Runtime Monitoring of a container on EC2', () => {
  it.each(bothShapes('guardduty-eventbridge-container-runtime.json'))(
    'keeps the container, its host, and the process with its context (%s)',
    (_shape, finding) => {
      // Assess
      const container = only<ContainerResource>(finding);
      expect(container).toMatchObject({
        kind: 'container',
        containerId: 'abcd1234',
        runtime: 'docker',
        host: { instanceId: 'i-0abcd1234abcd1234' },
      });
      expect(container.name).toBeUndefined();
      expect(finding.runtime).toMatchObject({
        process: { name: 'sshd', executablePath: '/usr/bin/ssh', pid: 2345, user: 'admin' },
        targetProcess: { name: 'sshd', pid: 3124 },
        modifyingProcess: { name: 'bash', pid: 2451 },
        context: { socketPath: '/var/run/docker.sock', flags: 'ro', memoryRegions: 'heap,stack' },
      });
      // GuardDuty's API gives the start time in epoch seconds.
      expect(finding.runtime?.process?.startTime).toBe('2024-10-04T04:06:30.377Z');
    },
  );
});

describe('GuardDuty S3 findings: the acting principal', () => {
  it('keeps the principal and the source of the call beside the buckets', () => {
    // Prepare
    const event = sourcedFixture('guardduty-eventbridge-rds-login.json') as {
      detail: Record<string, unknown>;
    };
    const detail = {
      ...event.detail,
      type: 'Exfiltration:S3/AnomalousBehavior',
      resource: {
        resourceType: 'S3Bucket',
        accessKeyDetails: {
          accessKeyId: 'ASIAEXAMPLEKEY000003',
          principalId: 'AROAEXAMPLEROLE:etl',
          userName: 'etl-runner',
          userType: 'AssumedRole',
        },
        s3BucketDetails: [{ name: 'acme-exports', arn: 'arn:aws:s3:::acme-exports', type: 'Destination' }],
      },
      service: {
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'GetObject',
            serviceName: 's3.amazonaws.com',
            callerType: 'Remote IP',
            userAgent: 'aws-cli/2.15.0',
            remoteIpDetails: { ipAddressV4: '203.0.113.9', country: { countryName: 'Exampleland' } },
            remoteAccountDetails: { accountId: '999988887777', affiliated: false },
          },
        },
        count: 12,
      },
    };
    // Act
    const [finding] = parseFindings({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail });
    // Assess
    expect(finding?.resources).toEqual([
      { kind: 's3-bucket', bucketName: 'acme-exports', arn: 'arn:aws:s3:::acme-exports', tags: {} },
    ]);
    expect(finding?.actor).toEqual({
      userType: 'AssumedRole',
      roleName: 'etl-runner',
      principalId: 'AROAEXAMPLEROLE:etl',
      accessKeyId: 'ASIAEXAMPLEKEY000003',
      accountId: '999988887777',
      sourceIp: '203.0.113.9',
      sourceCountry: 'Exampleland',
      userAgent: 'aws-cli/2.15.0',
    });
  });
});

describe('GuardDuty resource types without a kind', () => {
  it('keep the finding with an `other` resource named by the finding', () => {
    // Prepare
    const event = structuredClone(sourcedFixture('guardduty-eventbridge-lambda.json')) as {
      detail: { resource: Record<string, unknown>; arn: string };
    };
    event.detail.resource = { resourceType: 'EBSVolume', ebsVolumeDetails: { scannedVolumeDetails: [] } };
    // Act
    const [finding] = parseFindings(event);
    // Assess
    expect(finding?.resources).toEqual([{ kind: 'other', resourceType: 'EBSVolume', id: event.detail.arn }]);
  });

  it.each([
    ['EKSCluster', {}],
    ['ECSCluster', { ecsClusterDetails: { status: 'ACTIVE' } }],
    ['Lambda', { lambdaDetails: { description: 'no name, no ARN' } }],
    ['RDSDBInstance', { rdsDbInstanceDetails: { engine: 'postgres' } }],
    ['Container', { containerDetails: { image: 'no-id' } }],
    ['S3Object', { s3BucketDetails: [{ name: 'acme-uploads', s3ObjectDetails: [] }] }],
  ])('keep a %s finding whose details name nothing as `other`', (resourceType, details) => {
    // Prepare
    const event = structuredClone(sourcedFixture('guardduty-eventbridge-lambda.json')) as {
      detail: { resource: Record<string, unknown>; arn: string };
    };
    event.detail.resource = { resourceType, ...details };
    // Act
    const [finding] = parseFindings(event);
    // Assess
    expect(finding?.resources).toEqual([{ kind: 'other', resourceType, id: event.detail.arn }]);
  });
});

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.charAt(0).toLowerCase() + key.slice(1),
      camelKeys(inner),
    ]),
  );
}
