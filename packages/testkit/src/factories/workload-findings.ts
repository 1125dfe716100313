import { randomUUID } from 'node:crypto';
import type { GuardDutyEventBridgeEvent } from '@ir/contracts';
import type { Json } from './finding-options.js';

/*
 * GuardDuty findings about the newer resource types (EKS, ECS, Lambda, RDS, S3 objects, containers)
 * and Security Hub v2 (OCSF) events, shaped as the GuardDuty API reference and Security Hub's
 * published OCSF sample show them (the contracts' fixtures name the sources). Every option has a
 * realistic default, as in the other finding factories.
 */

/** The workload a factory-made GuardDuty finding names. */
export type WorkloadResourceOptions =
  | {
      kind: 'eks-pod';
      clusterName?: string;
      namespace?: string;
      podName?: string;
      serviceAccountName?: string;
    }
  | { kind: 'ecs-task'; clusterName?: string; taskId?: string; launchType?: 'FARGATE' | 'EC2' }
  | { kind: 'lambda'; functionName?: string; version?: string }
  | {
      kind: 'rds';
      dbInstanceIdentifier?: string;
      /** `null`: a stand-alone DB instance, not an Aurora cluster member. */
      dbClusterIdentifier?: string | null;
      user?: string;
      tags?: Record<string, string>;
    }
  | { kind: 's3-object'; bucketName?: string; key?: string; versionId?: string };

/** Options of {@link guardDutyWorkloadFinding}. */
export interface WorkloadFindingOptions {
  resource: WorkloadResourceOptions;
  accountId?: string;
  region?: string;
  findingId?: string;
  type?: string;
  severity?: number;
  createdAt?: string;
  updatedAt?: string;
}

const defaultTypes: Record<WorkloadResourceOptions['kind'], string> = {
  'eks-pod': 'Execution:Runtime/NewBinaryExecuted',
  'ecs-task': 'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
  lambda: 'Backdoor:Lambda/C&CActivity.B',
  rds: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
  's3-object': 'Object:S3/MaliciousFile',
};

/** A GuardDuty finding about a workload, as EventBridge delivers it. */
export function guardDutyWorkloadFinding(options: WorkloadFindingOptions): GuardDutyEventBridgeEvent {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const id = options.findingId ?? randomUUID().replaceAll('-', '');
  const type = options.type ?? defaultTypes[options.resource.kind];
  const createdAt = options.createdAt ?? '2024-05-02T14:00:00.000Z';
  const updatedAt = options.updatedAt ?? createdAt;
  const detector = '12abc34d567e8fa901bc2d34e56789f0';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: accountId,
    region,
    time: updatedAt,
    detail: {
      schemaVersion: '2.0',
      accountId,
      region,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${region}:${accountId}:detector/${detector}/finding/${id}`,
      type,
      resource: workloadResource(options.resource, accountId, region),
      service: {
        serviceName: 'guardduty',
        detectorId: detector,
        action: workloadAction(options.resource),
        additionalInfo: { value: '{}', type: 'default' },
        eventFirstSeen: createdAt,
        eventLastSeen: updatedAt,
        archived: false,
        count: 1,
        ...(options.resource.kind === 'eks-pod' || options.resource.kind === 'ecs-task'
          ? {
              featureName: 'RuntimeMonitoring',
              runtimeDetails: {
                process: {
                  name: 'xmrig',
                  executablePath: '/tmp/xmrig',
                  executableSha256: '5a1f7f8e0d2c3b4a59687766554433221100ffeeddccbbaa9988776655443322',
                  pid: 4242,
                  user: 'root',
                  userId: 0,
                  lineage: [{ name: 'sh', pid: 4200, executablePath: '/bin/sh' }],
                },
              },
            }
          : {}),
      },
      severity: options.severity ?? 8,
      createdAt,
      updatedAt,
      title: `${type} finding`,
      description: `Generated ${type} finding for tests.`,
    },
  };
}

function workloadResource(resource: WorkloadResourceOptions, accountId: string, region: string): Json {
  switch (resource.kind) {
    case 'eks-pod': {
      const cluster = resource.clusterName ?? 'payments-prod';
      return {
        resourceType: 'EKSCluster',
        eksClusterDetails: {
          name: cluster,
          arn: `arn:aws:eks:${region}:${accountId}:cluster/${cluster}`,
          vpcId: 'vpc-0123456789abcdef0',
          status: 'ACTIVE',
          tags: [{ key: 'env', value: 'prod' }],
        },
        kubernetesDetails: {
          kubernetesWorkloadDetails: {
            name: resource.podName ?? 'web-7d9f8',
            type: 'pods',
            uid: '9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
            namespace: resource.namespace ?? 'payments',
            serviceAccountName: resource.serviceAccountName ?? 'payments-api',
            containers: [{ name: 'web', image: 'public.ecr.aws/example/web:1.4.2' }],
          },
        },
        instanceDetails: {
          instanceId: 'i-0node0000000000001',
          instanceType: 'm5.large',
          iamInstanceProfile: {
            arn: `arn:aws:iam::${accountId}:instance-profile/eks-nodes`,
            id: 'AIPAEXAMPLE',
          },
          networkInterfaces: [
            {
              networkInterfaceId: 'eni-0node0000000000001',
              subnetId: 'subnet-0aaa1111bbbb2222c',
              vpcId: 'vpc-0123456789abcdef0',
              privateIpAddress: '10.0.3.17',
              securityGroups: [{ groupId: 'sg-0node000000000001', groupName: 'eks-nodes' }],
            },
          ],
        },
        containerDetails: { containerRuntime: 'containerd', id: 'containerd-7f3e2d1c0b9a', name: 'web' },
      };
    }
    case 'ecs-task': {
      const cluster = resource.clusterName ?? 'orders';
      return {
        resourceType: 'ECSCluster',
        ecsClusterDetails: {
          name: cluster,
          arn: `arn:aws:ecs:${region}:${accountId}:cluster/${cluster}`,
          status: 'ACTIVE',
          tags: [],
          taskDetails: {
            arn: `arn:aws:ecs:${region}:${accountId}:task/${cluster}/${resource.taskId ?? '0f1e2d3c4b5a69788'}`,
            definitionArn: `arn:aws:ecs:${region}:${accountId}:task-definition/orders-api:12`,
            version: '12',
            launchType: resource.launchType ?? 'FARGATE',
            startedBy: 'ecs-svc/1234567890123456789',
            group: 'service:orders-api',
            containers: [{ name: 'api', image: 'public.ecr.aws/example/orders-api:3.1.0' }],
          },
        },
        containerDetails: { containerRuntime: 'containerd', id: 'ecs-0f1e2d3c-api', name: 'api' },
      };
    }
    case 'lambda': {
      const name = resource.functionName ?? 'invoice-renderer';
      return {
        resourceType: 'Lambda',
        lambdaDetails: {
          functionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}:${resource.version ?? '7'}`,
          functionName: name,
          functionVersion: resource.version ?? '7',
          role: `arn:aws:iam::${accountId}:role/${name}-exec`,
          vpcConfig: {
            subnetIds: ['subnet-0aaa1111bbbb2222c'],
            vpcId: 'vpc-0123456789abcdef0',
            securityGroups: [],
          },
          tags: [],
        },
      };
    }
    case 'rds':
      return {
        resourceType: 'RDSDBInstance',
        rdsDbInstanceDetails: {
          dbInstanceIdentifier: resource.dbInstanceIdentifier ?? 'orders-db-1',
          ...(resource.dbClusterIdentifier === null
            ? { engine: 'postgres' }
            : {
                dbClusterIdentifier: resource.dbClusterIdentifier ?? 'orders-db',
                engine: 'aurora-postgresql',
              }),
          engineVersion: '16.4',
          dbInstanceArn: `arn:aws:rds:${region}:${accountId}:db:${resource.dbInstanceIdentifier ?? 'orders-db-1'}`,
          ...(resource.tags
            ? { tags: Object.entries(resource.tags).map(([key, value]) => ({ key, value })) }
            : {}),
        },
        rdsDbUserDetails: {
          user: resource.user ?? 'app_rw',
          application: 'psql',
          database: 'orders',
          ssl: 'on',
        },
      };
    case 's3-object': {
      const bucket = resource.bucketName ?? 'acme-uploads';
      const key = resource.key ?? 'incoming/invoice.pdf';
      return {
        resourceType: 'S3Object',
        s3BucketDetails: [
          {
            name: bucket,
            arn: `arn:aws:s3:::${bucket}`,
            type: 'Destination',
            s3ObjectDetails: [
              {
                objectArn: `arn:aws:s3:::${bucket}/${key}`,
                key,
                eTag: '44d88612fea8a8f36de82e1278abb02f',
                hash: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
                versionId: resource.versionId ?? '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
              },
            ],
          },
        ],
      };
    }
  }
}

function workloadAction(resource: WorkloadResourceOptions): Json | undefined {
  const remoteIpDetails = { ipAddressV4: '198.51.100.77', country: { countryName: 'Netherlands' } };
  switch (resource.kind) {
    case 'rds':
      return { actionType: 'RDS_LOGIN_ATTEMPT', rdsLoginAttemptAction: { remoteIpDetails } };
    case 'lambda':
      return {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'OUTBOUND',
          protocol: 'TCP',
          remoteIpDetails,
          remotePortDetails: { port: 443 },
        },
      };
    case 'ecs-task':
      return {
        actionType: 'DNS_REQUEST',
        dnsRequestAction: { domain: 'pool.example-mining.net', protocol: 'UDP' },
      };
    default:
      return undefined;
  }
}

/** One OCSF resource of a Security Hub v2 finding (`resources[]`). */
export interface OcsfResourceOptions {
  /** CloudFormation-style type, e.g. `AWS::EC2::Instance`, `AWS::EKS::Cluster`. */
  type: string;
  uid: string;
  name?: string;
  region?: string;
  tags?: Record<string, string>;
  data?: Json;
}

/** Options of {@link securityHubV2Event}. */
export interface SecurityHubV2EventOptions {
  accountId?: string;
  region?: string;
  /** Security Hub's id of the finding (`metadata.uid`). */
  findingId?: string;
  /** GuardDuty-style finding type, listed after Security Hub's generic `Threats`. */
  type?: string;
  /** OCSF `severity_id`: 1 Informational … 5 Critical, 6 Fatal. */
  severityId?: number;
  resources?: OcsfResourceOptions[];
  createdAt?: string;
  updatedAt?: string;
}

const severityCaptions: Record<number, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
};

/**
 * A `Findings Imported V2` event carrying one OCSF Detection Finding from GuardDuty, shaped like
 * Security Hub's published sample (metadata, finding_info, cloud, resources, evidences).
 */
export function securityHubV2Event(options: SecurityHubV2EventOptions = {}): Json {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const uid = options.findingId ?? randomUUID().replaceAll('-', '');
  const type = options.type ?? 'Backdoor:EC2/C&CActivity.B!DNS';
  const severityId = options.severityId ?? 4;
  const createdAt = options.createdAt ?? '2024-05-02T14:00:00.000Z';
  const updatedAt = options.updatedAt ?? createdAt;
  const resources = options.resources ?? [
    {
      type: 'AWS::EC2::Instance',
      uid: `arn:aws:ec2:${region}:${accountId}:instance/i-0a1b2c3d4e5f67890`,
      name: 'web-01',
      tags: { Name: 'web-01' },
    },
  ];
  const gdId = randomUUID().replaceAll('-', '');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Findings Imported V2',
    source: 'aws.securityhub',
    account: accountId,
    time: updatedAt,
    region,
    resources: [uid],
    detail: {
      findings: [
        {
          activity_id: 1,
          activity_name: 'Create',
          category_name: 'Findings',
          category_uid: 2,
          class_name: 'Detection Finding',
          class_uid: 2004,
          type_uid: 200401,
          cloud: { account: { type: 'AWS Account', type_id: 10, uid: accountId }, provider: 'AWS', region },
          count: 1,
          evidences: [
            {
              connection_info: { direction: 'Outbound', direction_id: 2, protocol_name: 'udp' },
              dst_endpoint: { ip: '198.51.100.23', port: 53 },
              query: { hostname: 'c2.example-bad-domain.net' },
            },
          ],
          finding_info: {
            created_time_dt: createdAt,
            modified_time_dt: updatedAt,
            title: `${type} finding`,
            desc: `Generated ${type} finding for tests.`,
            types: ['Threats', type],
            uid: `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${gdId}`,
            uid_alt: gdId,
          },
          metadata: {
            product: {
              name: 'GuardDuty',
              uid: `arn:aws:securityhub:${region}::productv2/aws/guardduty`,
              vendor_name: 'AWS',
            },
            uid,
            version: '1.5.0',
          },
          resources: resources.map((resource) => ({
            cloud_partition: 'aws',
            type: resource.type,
            uid: resource.uid,
            ...(resource.name ? { name: resource.name } : {}),
            region: resource.region ?? region,
            owner: { account: { type: 'AWS Account', type_id: 10, uid: accountId } },
            tags: Object.entries(resource.tags ?? {}).map(([name, value]) => ({ name, value })),
            ...(resource.data ? { data: resource.data } : {}),
          })),
          severity: severityCaptions[severityId] ?? 'Unknown',
          severity_id: severityId,
          status: 'New',
          status_id: 1,
          time_dt: updatedAt,
        },
      ],
    },
  };
}
