import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '../src/config.js';
import { QUEUE_NAMES } from '../src/constructs/queues.js';
import { ocsfSeverityIdsFrom } from '../src/constructs/finding-rules.js';
import { buildTestApp } from './build.js';

const built = buildTestApp({
  findingSeverityThreshold: 7,
  prefix: 'ir',
  memberExternalIdSecretName: 'ir/external-id',
});
const template = built.systemTemplate;

type Resource = { Properties: Record<string, unknown> };
const resourcesOf = (type: string) => Object.values(template.findResources(type)) as Resource[];
const containerOf = (service: string) => {
  const definition = resourcesOf('AWS::ECS::TaskDefinition').find(
    (task) => task.Properties.Family === `ir-${service}`,
  );
  const containers = definition?.Properties.ContainerDefinitions as Record<string, unknown>[] | undefined;
  if (!containers?.[0]) throw new Error(`no container for ${service}`);
  return containers[0] as {
    Command: string[];
    StopTimeout: number;
    Environment: { Name: string; Value: unknown }[];
    Secrets?: { Name: string }[];
    ReadonlyRootFilesystem: boolean;
  };
};

describe('IncidentResponseStack queues', () => {
  it('creates the five queues and their DLQs with the names packages/runtime resolves', () => {
    // Prepare / Act: the stack is built once above.
    // Assess
    for (const name of QUEUE_NAMES) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `ir-${name}`,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `ir-${name}-dlq` });
    }
  });

  it('alarms on DLQ depth and on the age of the oldest message of every queue', () => {
    // Prepare / Act: built above.
    // Assess
    for (const name of QUEUE_NAMES) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ir-${name}-dlq-not-empty`,
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        AlarmActions: [Match.anyValue()],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ir-${name}-oldest-message-age`,
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 300,
      });
    }
  });
});

describe('IncidentResponseStack EventBridge rules', () => {
  it('forwards GuardDuty findings at or above the severity threshold to the findings queue', () => {
    // Prepare / Act: built with findingSeverityThreshold 7.
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('forwards Security Hub findings in the HIGH and CRITICAL labels, without GuardDuty duplicates', () => {
    // Prepare / Act: built with findingSeverityThreshold 7.
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.securityhub'],
        detail: {
          findings: Match.objectLike({
            Severity: { Label: ['HIGH', 'CRITICAL'] },
            ProductName: [{ 'anything-but': 'GuardDuty' }],
          }),
        },
      },
    });
  });

  // Pattern structure only: moto 5.2.5 cannot evaluate a pattern on an array of objects
  // (`detail.findings[]`: its matcher does not flatten lists, so no Security Hub rule ever matches
  // there) and its TestEventPattern is a no-op, so these patterns are not run on the emulator.
  it('forwards Security Hub OCSF findings (Findings Imported V2): detection and compliance classes, open, HIGH and CRITICAL or unknown severity, without GuardDuty duplicates', () => {
    // Prepare / Act: built with findingSeverityThreshold 7.
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'ir-securityhub-v2-findings',
      EventPattern: {
        source: ['aws.securityhub'],
        'detail-type': ['Findings Imported V2'],
        detail: {
          findings: {
            class_uid: [2003, 2004],
            severity_id: [4, 5, 6, 0, 99],
            status_id: [{ 'anything-but': [3, 4, 5, 6] }],
            metadata: { product: { name: [{ 'anything-but': 'GuardDuty' }] } },
          },
        },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('takes the OCSF severities of the labels at or above the threshold, and always the unknown ones', () => {
    // Prepare
    const thresholds = [1, 4, 7, 9];
    // Act
    const ids = thresholds.map((threshold) => ocsfSeverityIdsFrom(threshold));
    // Assess
    expect(ids).toEqual([
      [1, 2, 3, 4, 5, 6, 0, 99],
      [3, 4, 5, 6, 0, 99],
      [4, 5, 6, 0, 99],
      [5, 6, 0, 99],
    ]);
  });

  it('lets only EventBridge rules of this stack send to the findings queue', () => {
    // Prepare / Act: built above.
    // Assess
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('IncidentResponseStack storage', () => {
  it('creates the incident table with the shared layout and point-in-time recovery', () => {
    // Prepare / Act: built above.
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'ir-incidents',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('locks evidence in COMPLIANCE mode for 90 days with the customer-managed key, logged and private', () => {
    // Prepare / Act: built with the default lock settings.
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 90 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'evidence/' }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('IncidentResponseStack services', () => {
  it('runs all five services from one image, each with its own command', () => {
    // Prepare / Act: built above.
    // Assess
    expect(resourcesOf('AWS::ECS::Service')).toHaveLength(SERVICE_NAMES.length);
    const images = new Set(
      resourcesOf('AWS::ECS::TaskDefinition').map((task) =>
        JSON.stringify((task.Properties.ContainerDefinitions as { Image: unknown }[])[0]?.Image),
      ),
    );
    expect(images.size).toBe(1);
    for (const service of SERVICE_NAMES) {
      expect(containerOf(service).Command).toEqual([`services/${service}/dist/main.js`]);
      expect(containerOf(service).ReadonlyRootFilesystem).toBe(true);
    }
  });

  it('gives ECS a stop timeout longer than the services’ shutdown grace', () => {
    // Prepare / Act: built above.
    // Assess
    for (const service of SERVICE_NAMES) {
      const container = containerOf(service);
      const grace = container.Environment.find((variable) => variable.Name === 'IR_SHUTDOWN_GRACE_SECONDS');
      expect(container.StopTimeout).toBeGreaterThan(Number(grace?.Value));
    }
  });

  it('passes the variables the services read, and secrets only through Secrets Manager', () => {
    // Prepare / Act: built above.
    // Assess
    const forensics = containerOf('forensics');
    const names = forensics.Environment.map((variable) => variable.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS_REGION',
        'IR_PREFIX',
        'IR_TABLE',
        'IR_EVIDENCE_BUCKET',
        'IR_EVIDENCE_KMS_KEY',
        'IR_EVIDENCE_RETENTION_DAYS',
        'IR_MEMBER_ROLE_NAME',
        'IR_HTTP_PORT',
      ]),
    );
    expect(forensics.Environment).toContainEqual({ Name: 'IR_EVIDENCE_LOCK_MODE', Value: 'COMPLIANCE' });
    expect(forensics.Environment).toContainEqual({
      Name: 'IR_MEMBER_ROLE_NAME',
      Value: 'ir-forensics-response',
    });
    expect(containerOf('isolator').Environment).toContainEqual({
      Name: 'IR_MEMBER_ROLE_NAME',
      Value: 'ir-isolator-response',
    });
    expect(forensics.Secrets?.map((secret) => secret.Name)).toEqual(['IR_MEMBER_ROLE_EXTERNAL_ID']);
    // No static API token in a deployment: the operator API trusts the OIDC issuer, a parameter. Its
    // only secrets are the decision-signing keys (issue 18).
    expect(containerOf('response-coordinator').Secrets?.map((secret) => secret.Name)).toEqual([
      'IR_DECISION_SIGNING_KEY',
      'IR_DECISION_SIGNING_KEY_PREVIOUS',
    ]);
    const coordinator = containerOf('response-coordinator');
    expect(coordinator.Environment).toContainEqual({ Name: 'IR_AUTH_MODE', Value: 'oidc' });
    expect(coordinator.Environment).toContainEqual({ Name: 'IR_ENV', Value: 'production' });
    expect(coordinator.Environment).toContainEqual({ Name: 'IR_OIDC_ISSUER', Value: { Ref: 'OidcIssuer' } });
    expect(coordinator.Environment).toContainEqual({
      Name: 'IR_OIDC_AUDIENCE',
      Value: { Ref: 'OidcAudience' },
    });
    expect(template.toJSON().Parameters.OidcIssuer.Default).toBeUndefined();
    // The stack creates only the two decision-signing keys (no API-token secret).
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const service of SERVICE_NAMES) {
      const plain = containerOf(service).Environment.map((variable) => variable.Name);
      expect(plain.filter((name) => /TOKEN|SECRET|PASSWORD|EXTERNAL_ID|ROUTING_KEY/.test(name))).toEqual([]);
    }
  });

  it('scales each service on messages waiting per running task', () => {
    // Prepare / Act: built above.
    // Assess
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', SERVICE_NAMES.length);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyName: 'ir-isolator-backlog-per-task',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 20,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              Id: 'backlog_per_task',
              ReturnData: true,
              Expression: Match.stringLikeRegexp('visible / '),
            }),
          ]),
        },
      },
    });
  });

  it('registers every service in Cloud Map for Prometheus and keeps logs with retention', () => {
    // Prepare / Act: built above.
    // Assess
    template.resourceCountIs('AWS::ServiceDiscovery::Service', SERVICE_NAMES.length);
    for (const service of SERVICE_NAMES) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/ir/${service}`,
        RetentionInDays: 365,
      });
    }
  });
});
