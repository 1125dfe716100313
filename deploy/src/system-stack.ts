import { Aws, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import {
  type DeployConfig,
  type MemberActingService,
  memberRoleNameOf,
  SERVICE_NAMES,
  type ServiceName,
  tableNameOf,
  taskRoleNameOf,
} from './config.js';
import { createAlarmTopic } from './constructs/alarm-topic.js';
import { CleanRoom } from './constructs/clean-room.js';
import { DecisionSigningKeys } from './constructs/decision-signing.js';
import { EvidenceAlarms } from './constructs/evidence-alarms.js';
import { EvidenceStore } from './constructs/evidence-store.js';
import { FindingRules } from './constructs/finding-rules.js';
import { ForgedDecisionAlarm } from './constructs/forged-decision-alarm.js';
import { createIncidentTable } from './constructs/incident-table.js';
import { CONSOLE_DIR_IN_IMAGE, CONSOLE_PATH, ConsoleIngress } from './constructs/console-ingress.js';
import { restrictQueueSenders } from './constructs/queue-policies.js';
import { IrQueues, type LogicalQueueName } from './constructs/queues.js';
import { SLACK_INTERACTIONS_PATH, SlackIngress } from './constructs/slack-ingress.js';
import { OwnedSsmDocuments } from './constructs/ssm-documents.js';
import { HTTP_PORT, WorkerService } from './constructs/worker-service.js';
import { grantServicePermissions } from './service-permissions.js';
import { serviceImage } from './image.js';

/** The queue each service consumes. */
export const INPUT_QUEUE: Readonly<Record<ServiceName, LogicalQueueName>> = {
  detection: 'findings',
  'response-coordinator': 'coordinator',
  isolator: 'isolator',
  forensics: 'forensics',
  notifier: 'notifier',
};

export interface IncidentResponseStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The repository root: the Docker build context. */
  readonly repoRoot: string;
}

/**
 * Everything the system needs in the security account: network, queues, table, evidence store,
 * EventBridge rules, the alarm topic and the five Fargate services with least-privilege task roles.
 * Environment-agnostic (no account or region, no look-ups), so it synthesises without credentials.
 */
export class IncidentResponseStack extends Stack {
  readonly config: DeployConfig;
  readonly services: Readonly<Record<ServiceName, WorkerService>>;
  readonly queues: IrQueues;
  readonly evidence: EvidenceStore;
  /** The forensics VPC and launch template of evidence.clean-room, when `forensicsAmiId` is set. */
  readonly cleanRoom: CleanRoom | undefined;
  /** Break-glass alerts: evidence key destruction attempts and unexpected evidence reads. */
  readonly evidenceAlarms: EvidenceAlarms;
  /** The HMAC keys operator decisions are signed with (coordinator only). */
  readonly decisionKeys: DecisionSigningKeys;
  /** The alarm on a decision refused for its signature. */
  readonly forgedDecisionAlarm: ForgedDecisionAlarm;
  /** The EventBridge rules feeding the findings queue. */
  readonly findingRules: FindingRules;
  /** The public load balancer for Slack's clicks, when `slackIngressCertificateArn` is set. */
  readonly slackIngress: SlackIngress | undefined;
  /** The internal HTTPS entry to the console and operator API, when `consoleCertificateArn` is set. */
  readonly consoleIngress: ConsoleIngress | undefined;

  constructor(scope: Construct, id: string, props: IncidentResponseStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const prefix = config.prefix;
    const tableName = tableNameOf(config);

    const alarmTopic = createAlarmTopic(this, prefix, config.alarmEmail);
    this.queues = new IrQueues(this, 'Queues', {
      prefix,
      oldestMessageAlarmSeconds: config.oldestMessageAlarmSeconds,
      alarmTopic,
    });
    const table = createIncidentTable(this, tableName);
    this.evidence = new EvidenceStore(this, 'Evidence', {
      prefix,
      bucketName: config.evidenceBucketName,
      lockMode: config.evidenceLockMode,
      retentionDays: config.evidenceRetentionDays,
      forensicsMemberRoleName: memberRoleNameOf(prefix, 'forensics'),
      organizationId: config.organizationId,
      memberAccountIds: config.memberAccountIds,
      breakGlassRoleArn: config.breakGlassRoleArn,
      manifestSignerRoleArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${taskRoleNameOf(prefix, 'forensics')}`,
    });
    this.findingRules = new FindingRules(this, 'FindingRules', {
      prefix,
      findingsQueue: this.queues.pairs.findings.queue,
      severityThreshold: config.findingSeverityThreshold,
      includeGuardDutyFromSecurityHub: config.securityHubIncludeGuardDuty,
      alarmTopic,
    });

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 2,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'services', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        s3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        dynamodb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: prefix,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: `${prefix}.internal`,
      vpc,
      description: 'A records of every incident-response task, for Prometheus and the operator API',
    });
    const scrapeAccess = new ec2.SecurityGroup(this, 'ScrapeAccess', {
      vpc,
      description: 'Members may reach /metrics, /healthz and /readyz of every service (Prometheus)',
      allowAllOutbound: true,
    });
    const apiAccess = new ec2.SecurityGroup(this, 'ApiAccess', {
      vpc,
      description: 'Members may call the response-coordinator operator API (irctl, bastion, VPN)',
      allowAllOutbound: true,
    });

    // The operator API trusts OIDC access tokens only (no static token in a deployment): the issuer
    // and audience are parameters, so CloudFormation refuses a deployment that does not name them.
    const oidcIssuer = new CfnParameter(this, 'OidcIssuer', {
      type: 'String',
      description: 'Issuer of the OIDC access tokens operators present to the operator API (IR_OIDC_ISSUER)',
      allowedPattern: '^https://\\S+$',
      constraintDescription: 'an https URL',
      ...(config.oidcIssuer ? { default: config.oidcIssuer } : {}),
    });
    const oidcAudience = new CfnParameter(this, 'OidcAudience', {
      type: 'String',
      description: 'Audience the operator API requires in those tokens (IR_OIDC_AUDIENCE)',
      minLength: 1,
      ...(config.oidcAudience ? { default: config.oidcAudience } : {}),
    });
    this.decisionKeys = new DecisionSigningKeys(this, 'DecisionSigning', {
      prefix,
      active: config.decisionSigningKey,
    });
    // Slack approvals (all three set, or none: config.ts): secrets are referenced, never created.
    const slackSecret = (id: string, name: string | undefined) =>
      name
        ? ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, id, name))
        : undefined;
    const slackSigningSecret = slackSecret('SlackSigningSecret', config.slackSigningSecretName);
    const slackBotToken = slackSecret('SlackBotToken', config.slackBotTokenSecretName);
    // The Jira webhook's shared secret, referenced like Slack's (config.ts requires the Jira site).
    const jiraWebhookSecret = slackSecret('JiraWebhookSecret', config.jiraWebhookSecretName);
    const externalId = config.memberExternalIdSecretName
      ? secretsmanager.Secret.fromSecretNameV2(this, 'MemberExternalId', config.memberExternalIdSecretName)
      : undefined;

    this.cleanRoom = config.forensicsAmiId
      ? new CleanRoom(this, 'CleanRoom', {
          prefix,
          amiId: config.forensicsAmiId,
          instanceType: config.forensicsInstanceType,
          rootDeviceName: config.forensicsRootDevice,
          evidenceKey: this.evidence.key,
          logRetention: logs.RetentionDays.ONE_YEAR,
        })
      : undefined;

    // The SSM documents forensics runs host commands through in this account (member accounts get
    // theirs from the member stack); the forensics policy allows SendCommand on these only.
    new OwnedSsmDocuments(this, 'SsmDocuments', {
      prefix,
      evidenceBucketName: this.evidence.bucket.bucketName,
    });

    const image = serviceImage(this, props.repoRoot, config.imageUri);

    const common = {
      AWS_REGION: Aws.REGION,
      IR_PREFIX: prefix,
      IR_TABLE: tableName,
      IR_HOME_ACCOUNT_ID: Aws.ACCOUNT_ID,
      LOG_LEVEL: 'info',
      // Accounts the system may act in besides this one; with an organization, its active accounts too.
      ...(config.memberAccountIds.length > 0
        ? { IR_ALLOWED_ACCOUNTS: config.memberAccountIds.join(',') }
        : {}),
      IR_ALLOWED_ACCOUNTS_SOURCE: config.organizationId ? 'organizations' : 'list',
    };
    // Each acting service assumes its own member role (member-account-stack.ts), with the one external id.
    const memberAccess = (
      service: MemberActingService,
    ): { environment: Record<string, string>; secrets: Record<string, ecs.Secret> } => ({
      environment: { IR_MEMBER_ROLE_NAME: memberRoleNameOf(prefix, service) },
      secrets: externalId ? { IR_MEMBER_ROLE_EXTERNAL_ID: ecs.Secret.fromSecretsManager(externalId) } : {},
    });
    const perService: Record<
      ServiceName,
      { environment: Record<string, string>; secrets: Record<string, ecs.Secret> }
    > = {
      detection: { environment: {}, secrets: {} },
      'response-coordinator': {
        // Read-only: the incident report route verifies the evidence (GET /incidents/:id/report).
        environment: {
          IR_EVIDENCE_BUCKET: this.evidence.bucket.bucketName,
          IR_EVIDENCE_SIGNING_KEY: this.evidence.signingKey.keyArn,
          IR_ENV: 'production',
          IR_AUTH_MODE: 'oidc',
          IR_OIDC_ISSUER: oidcIssuer.valueAsString,
          IR_OIDC_AUDIENCE: oidcAudience.valueAsString,
          ...(config.oidcRolesClaim ? { IR_OIDC_ROLES_CLAIM: config.oidcRolesClaim } : {}),
          ...(Object.keys(config.oidcRoleMap).length > 0
            ? { IR_OIDC_ROLE_MAP: JSON.stringify(config.oidcRoleMap) }
            : {}),
          ...(config.slackUserMap ? { IR_SLACK_USER_MAP: JSON.stringify(config.slackUserMap) } : {}),
          ...(jiraWebhookSecret && config.notifierEnvironment.IR_JIRA_BASE_URL
            ? {
                IR_JIRA_BASE_URL: config.notifierEnvironment.IR_JIRA_BASE_URL,
                ...(config.jiraResolutionDispositions
                  ? { IR_JIRA_RESOLUTION_DISPOSITIONS: config.jiraResolutionDispositions }
                  : {}),
              }
            : {}),
          ...consoleEnvironment(config),
          ...(config.findingSync ? { IR_FINDING_SYNC: 'on' } : {}),
          ...(config.guardDutyArchiveFalsePositives ? { IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: 'true' } : {}),
        },
        secrets: {
          ...this.decisionKeys.containerSecrets(),
          ...(slackSigningSecret ? { IR_SLACK_SIGNING_SECRET: slackSigningSecret } : {}),
          ...(jiraWebhookSecret ? { IR_JIRA_WEBHOOK_SECRET: jiraWebhookSecret } : {}),
        },
      },
      isolator: {
        ...memberAccess('isolator'),
        // Read only: contain.s3-object-delete checks the evidence copy first.
        environment: {
          ...memberAccess('isolator').environment,
          IR_EVIDENCE_BUCKET: this.evidence.bucket.bucketName,
        },
      },
      forensics: {
        environment: {
          ...memberAccess('forensics').environment,
          IR_EVIDENCE_BUCKET: this.evidence.bucket.bucketName,
          IR_EVIDENCE_KMS_KEY: this.evidence.key.keyArn,
          IR_EVIDENCE_SIGNING_KEY: this.evidence.signingKey.keyArn,
          IR_FORENSICS_KMS_KEY: this.evidence.key.keyArn,
          // Evidence snapshot copies in member accounts are shared with this (the security) account.
          IR_FORENSICS_ACCOUNT_ID: Aws.ACCOUNT_ID,
          IR_EVIDENCE_LOCK_MODE: config.evidenceLockMode,
          IR_EVIDENCE_RETENTION_DAYS: String(config.evidenceRetentionDays),
          // Memory capture runs inside collect-volatile, bounded by the step's time-out (900 s in
          // the shipped playbooks): the handler must be allowed at least that long.
          IR_HANDLER_TIMEOUT_SECONDS: '960',
          ...this.cleanRoom?.environment,
        },
        secrets: memberAccess('forensics').secrets,
      },
      notifier: {
        environment: {
          IR_NOTIFY_ROUTES: config.notifierRoutesPath,
          ...config.notifierEnvironment,
          ...(config.slackApprovalChannel ? { IR_SLACK_APPROVAL_CHANNEL: config.slackApprovalChannel } : {}),
        },
        secrets: {
          ...Object.fromEntries(
            Object.entries(config.notifierSecrets).map(([variable, name]) => [
              variable,
              ecs.Secret.fromSecretsManager(
                secretsmanager.Secret.fromSecretNameV2(this, `Notifier${variable}`, name),
              ),
            ]),
          ),
          ...(slackBotToken ? { IR_SLACK_BOT_TOKEN: slackBotToken } : {}),
        },
      },
    };

    const services = SERVICE_NAMES.map((service) => {
      const worker = new WorkerService(this, toId(service), {
        prefix,
        service,
        cluster,
        image,
        namespace,
        inputQueue: this.queues.pairs[INPUT_QUEUE[service]].queue,
        environment: { ...common, ...perService[service].environment },
        secrets: perService[service].secrets,
        shutdownGraceSeconds: config.shutdownGraceSeconds,
        logRetentionDays: config.logRetentionDays,
        minTasks: config.minTasks,
        maxTasks: config.maxTasks,
        backlogPerTask: config.backlogPerTask,
        ...(service === 'forensics' ? { cpu: 512, memoryLimitMiB: 1024 } : {}),
      });
      worker.securityGroup.addIngressRule(scrapeAccess, ec2.Port.tcp(HTTP_PORT), 'Prometheus scrape');
      if (service === 'response-coordinator') {
        worker.securityGroup.addIngressRule(apiAccess, ec2.Port.tcp(HTTP_PORT), 'Operator API');
      }
      return [service, worker] as const;
    });
    this.services = Object.fromEntries(services) as Record<ServiceName, WorkerService>;

    grantServicePermissions(this, {
      config,
      services: this.services,
      queues: this.queues,
      table,
      evidence: this.evidence,
      ...(config.notifierEnvironment.IR_SNS_TOPIC_ARN
        ? { snsTopicArn: config.notifierEnvironment.IR_SNS_TOPIC_ARN }
        : {}),
      securityHub: flagOn(config.notifierEnvironment.IR_SECURITYHUB_ENABLED),
      findingSync: {
        securityHub: config.findingSync,
        guardDutyArchive: config.guardDutyArchiveFalsePositives,
      },
      cleanRoom: this.cleanRoom,
    });
    this.evidenceAlarms = new EvidenceAlarms(this, 'EvidenceAlarms', {
      prefix,
      evidence: this.evidence,
      alarmTopic,
      expectedReaders: [this.services.forensics.taskRole, this.services['response-coordinator'].taskRole],
    });

    this.cleanRoom?.grantTo(this.services.forensics.taskRole);

    // Each queue admits only the senders of the table in queue-senders.ts (issue 18).
    restrictQueueSenders({
      queueOf: (name) =>
        name === 'findings-delivery-dlq' ? this.findingRules.deliveryDlq : this.queues.byName(name),
      taskRoleArn: (service) =>
        `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${taskRoleNameOf(prefix, service)}`,
      findingRuleArns: [
        this.findingRules.guardDuty.ruleArn,
        this.findingRules.securityHub.ruleArn,
        this.findingRules.securityHubV2.ruleArn,
      ],
      operatorRoleArns: config.operatorRoleArns,
    });
    const coordinator = this.services['response-coordinator'];
    const coordinatorExecutionRole = coordinator.service.taskDefinition.executionRole;
    if (!coordinatorExecutionRole) throw new Error('the coordinator task definition has no execution role');
    this.decisionKeys.restrictReadsTo(coordinatorExecutionRole);
    this.forgedDecisionAlarm = new ForgedDecisionAlarm(this, 'ForgedDecisionAlarm', {
      prefix,
      logGroup: coordinator.logGroup,
      alarmTopic,
    });

    // Slack must reach POST /slack/interactions over public HTTPS; nothing else of the API is exposed.
    this.slackIngress = config.slackIngressCertificateArn
      ? new SlackIngress(this, 'SlackIngress', {
          prefix,
          vpc,
          coordinator: coordinator.service,
          certificateArn: config.slackIngressCertificateArn,
          allowedCidrs: config.slackIngressAllowedCidrs,
          accessLogs: this.evidence.accessLogs,
        })
      : undefined;

    // The console needs a secure context (PKCE uses Web Crypto): HTTPS, inside the network only.
    this.consoleIngress =
      config.consoleCertificateArn && config.consoleAllowedCidrs.length > 0
        ? new ConsoleIngress(this, 'ConsoleIngress', {
            prefix,
            vpc,
            coordinator: coordinator.service,
            certificateArn: config.consoleCertificateArn,
            allowedCidrs: config.consoleAllowedCidrs,
            accessLogs: this.evidence.accessLogs,
          })
        : undefined;

    new CfnOutput(this, 'EvidenceBucketName', { value: this.evidence.bucket.bucketName });
    new CfnOutput(this, 'EvidenceKeyArn', { value: this.evidence.key.keyArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
    new CfnOutput(this, 'BreakGlassRoleArn', { value: this.evidence.breakGlassRoleArn });
    new CfnOutput(this, 'ScrapeSecurityGroupId', { value: scrapeAccess.securityGroupId });
    new CfnOutput(this, 'ApiSecurityGroupId', { value: apiAccess.securityGroupId });
    new CfnOutput(this, 'OperatorApiAddress', {
      value: `http://response-coordinator.${prefix}.internal:${HTTP_PORT}`,
    });
    new CfnOutput(this, 'PrometheusSrvNames', {
      value: SERVICE_NAMES.map((service) => `${service}.${prefix}.internal`).join(','),
    });
    if (this.consoleIngress) {
      new CfnOutput(this, 'ConsoleDnsName', {
        value: this.consoleIngress.loadBalancer.loadBalancerDnsName,
        description: `Point the console certificate's host name at this internal load balancer (CNAME, or a Route 53 alias with ConsoleHostedZoneId); open https://<that host>${CONSOLE_PATH}/ and register https://<that host>${CONSOLE_PATH}/callback at the identity provider`,
      });
      new CfnOutput(this, 'ConsoleHostedZoneId', {
        value: this.consoleIngress.loadBalancer.loadBalancerCanonicalHostedZoneId,
        description: 'Hosted zone of the console load balancer, for a Route 53 alias record',
      });
    }
    if (this.slackIngress) {
      new CfnOutput(this, 'SlackIngressDnsName', {
        value: this.slackIngress.loadBalancer.loadBalancerDnsName,
        description: `Point the certificate's host name at this (CNAME, or a Route 53 alias with SlackIngressHostedZoneId); Slack's Request URL is https://<that host>${SLACK_INTERACTIONS_PATH}`,
      });
      new CfnOutput(this, 'SlackIngressHostedZoneId', {
        value: this.slackIngress.loadBalancer.loadBalancerCanonicalHostedZoneId,
        description: 'Hosted zone of the Slack ingress load balancer, for a Route 53 alias record',
      });
    }
  }
}

/**
 * The coordinator's console variables from the `console*` keys. `IR_CONSOLE_DIR` names where the image
 * holds the console whenever one is set: the coordinator then refuses to start without it (naming
 * the variable) rather than quietly serving no console; without console keys it finds the same
 * directory by itself and serves it when present, as before.
 */
function consoleEnvironment(config: DeployConfig): Record<string, string> {
  const wanted =
    config.consoleCertificateArn !== undefined ||
    config.consoleClientId !== undefined ||
    config.consoleIdpOrigins.length > 0;
  return {
    ...(wanted ? { IR_CONSOLE_DIR: CONSOLE_DIR_IN_IMAGE } : {}),
    ...(config.consoleClientId ? { IR_CONSOLE_CLIENT_ID: config.consoleClientId } : {}),
    ...(config.consoleIdpOrigins.length > 0
      ? { IR_CONSOLE_IDP_ORIGINS: config.consoleIdpOrigins.join(',') }
      : {}),
  };
}

/**
 * Whether a service reads a flag variable as on: the values @ir/runtime's `env.booleanFlag` takes as
 * true. Why not only `'true'`: `IR_SECURITYHUB_ENABLED=1` turns the notifier's channel on, and its
 * grant must follow, or every import is denied.
 */
function flagOn(value: string | undefined): boolean {
  return value === 'true' || value === '1' || value === 'yes';
}

function toId(service: ServiceName): string {
  return service
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
