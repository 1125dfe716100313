import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ServiceName, taskRoleNameOf } from '../config.js';

/** The port every service serves /healthz, /readyz, /metrics (and the coordinator its API) on. */
export const HTTP_PORT = 8080;

/** Seconds ECS waits after SIGTERM beyond the services' own grace, for HTTP close and log flush. */
export const STOP_TIMEOUT_MARGIN_SECONDS = 15;

export interface WorkerServiceProps {
  readonly prefix: string;
  readonly service: ServiceName;
  readonly cluster: ecs.ICluster;
  readonly image: ecs.ContainerImage;
  readonly namespace: servicediscovery.INamespace;
  /** The queue the service consumes; its backlog per task drives scaling. */
  readonly inputQueue: sqs.IQueue;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, ecs.Secret>>;
  readonly shutdownGraceSeconds: number;
  readonly logRetentionDays: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly backlogPerTask: number;
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
}

/**
 * One service of the pipeline on Fargate: its own task role (fixed name, so member accounts can
 * trust it; no permissions until the stack grants them), a read-only root file system with a
 * writable /tmp, logs to a retained CloudWatch group, a stop timeout longer than the service's
 * shutdown grace, an A record per task in Cloud Map for Prometheus, a deployment circuit breaker, and
 * target tracking on messages waiting per running task.
 */
export class WorkerService extends Construct {
  readonly taskRole: iam.Role;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    this.taskRole = new iam.Role(this, 'TaskRole', {
      roleName: taskRoleNameOf(props.prefix, props.service),
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Task role of the ${props.service} service (least privilege, granted by the stack)`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/${props.prefix}/${props.service}`,
      retention: retentionOf(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: `${props.prefix}-${props.service}`,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      taskRole: this.taskRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    taskDefinition.addVolume({ name: 'tmp' });
    const container = taskDefinition.addContainer('service', {
      containerName: props.service,
      image: props.image,
      command: [`services/${props.service}/dist/main.js`],
      environment: {
        ...props.environment,
        IR_HTTP_PORT: String(HTTP_PORT),
        IR_SHUTDOWN_GRACE_SECONDS: String(props.shutdownGraceSeconds),
      },
      secrets: { ...props.secrets },
      essential: true,
      readonlyRootFilesystem: true,
      user: 'node',
      stopTimeout: Duration.seconds(props.shutdownGraceSeconds + STOP_TIMEOUT_MARGIN_SECONDS),
      portMappings: [{ containerPort: HTTP_PORT, name: 'http' }],
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: props.service,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${HTTP_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(30),
        retries: 3,
      },
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `${props.prefix} ${props.service}: no inbound except the scrape/API port from allowed groups`,
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: `${props.prefix}-${props.service}`,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: props.minTasks,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: props.service,
        // A records: Prometheus (`dns_sd_configs` type A, port 8080) and irctl resolve them alike.
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });
    this.scaleOnBacklog(props);
  }

  /**
   * Target tracking on `ApproximateNumberOfMessagesVisible / RunningTaskCount` (metric math, which
   * the CDK L2 does not render, hence the L1 policy). RunningTaskCount comes from Container Insights,
   * which the cluster enables.
   */
  private scaleOnBacklog(props: WorkerServiceProps): void {
    const target = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${props.cluster.clusterName}/${this.service.serviceName}`,
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    target.node.addDependency(this.service);
    new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: `${props.prefix}-${props.service}-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.backlogPerTask,
        scaleOutCooldown: 30,
        scaleInCooldown: 300,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible',
              returnData: false,
              metricStat: {
                stat: 'Sum',
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: props.inputQueue.queueName }],
                },
              },
            },
            {
              id: 'tasks',
              returnData: false,
              metricStat: {
                stat: 'Average',
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [
                    { name: 'ClusterName', value: props.cluster.clusterName },
                    { name: 'ServiceName', value: this.service.serviceName },
                  ],
                },
              },
            },
            {
              id: 'backlog_per_task',
              label: 'Messages waiting per running task',
              expression: 'visible / IF(tasks > 0, tasks, 1)',
              returnData: true,
            },
          ],
        },
      },
    });
  }
}

/** CloudWatch accepts only certain retention periods: the largest allowed one not above the request. */
function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is logs.RetentionDays => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return allowed.filter((value) => value <= days).pop() ?? logs.RetentionDays.ONE_DAY;
}
