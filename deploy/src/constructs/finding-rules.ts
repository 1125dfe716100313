import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Security Hub severity labels with the lowest score of their band (Security Hub's own bands). */
const LABEL_BANDS = [
  { label: 'LOW', from: 1 },
  { label: 'MEDIUM', from: 4 },
  { label: 'HIGH', from: 7 },
  { label: 'CRITICAL', from: 9 },
] as const;

/**
 * The Security Hub labels at or above a GuardDuty-scale threshold. The band that contains the
 * threshold is included: labels are coarse, and dropping a finding that might be above the threshold
 * is worse than forwarding one detection then classifies.
 */
export function securityHubLabelsFrom(threshold: number): string[] {
  const containing = [...LABEL_BANDS].reverse().find((band) => band.from <= threshold) ?? LABEL_BANDS[0];
  return LABEL_BANDS.filter((band) => band.from >= containing.from).map((band) => band.label);
}

export interface FindingRulesProps {
  readonly prefix: string;
  readonly findingsQueue: sqs.IQueue;
  readonly severityThreshold: number;
  readonly includeGuardDutyFromSecurityHub: boolean;
  readonly alarmTopic: sns.ITopic;
}

/**
 * EventBridge rules on the default bus that feed the findings queue: GuardDuty findings at or above
 * the threshold, and Security Hub imported findings (active, new or notified) in the matching labels.
 * Security Hub's copies of GuardDuty findings are skipped unless asked for, since the GuardDuty rule
 * already delivers them. Events EventBridge cannot deliver go to `<prefix>-findings-delivery-dlq`,
 * which alarms: a finding must never be dropped silently.
 */
export class FindingRules extends Construct {
  readonly guardDuty: events.Rule;
  readonly securityHub: events.Rule;
  readonly deliveryDlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: FindingRulesProps) {
    super(scope, id);
    this.deliveryDlq = new sqs.Queue(this, 'DeliveryDlq', {
      queueName: `${props.prefix}-findings-delivery-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const target = new targets.SqsQueue(props.findingsQueue, {
      deadLetterQueue: this.deliveryDlq,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    });

    this.guardDuty = new events.Rule(this, 'GuardDuty', {
      ruleName: `${props.prefix}-guardduty-findings`,
      description: `GuardDuty findings with severity >= ${props.severityThreshold} to ${props.prefix}-findings`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', props.severityThreshold] }] },
      },
      targets: [target],
    });

    const finding: Record<string, unknown> = {
      Severity: { Label: securityHubLabelsFrom(props.severityThreshold) },
      RecordState: ['ACTIVE'],
      Workflow: { Status: ['NEW', 'NOTIFIED'] },
    };
    if (!props.includeGuardDutyFromSecurityHub) finding.ProductName = [{ 'anything-but': 'GuardDuty' }];
    this.securityHub = new events.Rule(this, 'SecurityHub', {
      ruleName: `${props.prefix}-securityhub-findings`,
      description: `Security Hub imported findings labelled ${securityHubLabelsFrom(props.severityThreshold).join('/')} to ${props.prefix}-findings`,
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Imported'],
        detail: { findings: finding },
      },
      targets: [target],
    });

    const alarm = new cloudwatch.Alarm(this, 'DeliveryDlqNotEmpty', {
      alarmName: `${props.prefix}-findings-delivery-dlq-not-empty`,
      alarmDescription:
        'EventBridge could not deliver findings to the findings queue (queue policy, deleted queue, throttling). Findings are in the delivery DLQ: fix and resubmit them.',
      metric: this.deliveryDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
