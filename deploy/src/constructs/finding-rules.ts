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
 * OCSF `severity_id`s of each Security Hub label, as the intake reads them (contracts
 * `severityFromOcsf`): 1 Informational and 2 Low are LOW, 3 MEDIUM, 4 HIGH, 5 Critical and 6 Fatal
 * CRITICAL.
 */
const OCSF_SEVERITY_IDS: Readonly<Record<(typeof LABEL_BANDS)[number]['label'], readonly number[]>> = {
  LOW: [1, 2],
  MEDIUM: [3],
  HIGH: [4],
  CRITICAL: [5, 6],
};

/**
 * OCSF `severity_id` 0 (Unknown) and 99 (Other): forwarded whatever the threshold, since their band
 * is only known from the caption, which detection reads (a finding that may be severe is never dropped
 * by a pattern).
 */
const OCSF_SEVERITY_UNKNOWN = [0, 99] as const;

/** The OCSF `severity_id`s at or above a GuardDuty-scale threshold (see {@link securityHubLabelsFrom}). */
export function ocsfSeverityIdsFrom(threshold: number): number[] {
  const ids = securityHubLabelsFrom(threshold).flatMap(
    (label) => OCSF_SEVERITY_IDS[label as keyof typeof OCSF_SEVERITY_IDS],
  );
  return [...ids, ...OCSF_SEVERITY_UNKNOWN];
}

/**
 * The OCSF finding classes detection parses: 2004 Detection Finding (GuardDuty, Inspector's threats,
 * other detectors) and 2003 Compliance Finding (Security Hub controls). Other classes would only be
 * dead-lettered.
 */
export const OCSF_FINDING_CLASSES = [2003, 2004] as const;

/**
 * OCSF `status_id`s left out, nothing to respond to: 3 Suppressed, 4 Resolved, and 5 Archived and
 * 6 Deleted where the OCSF version has them. 0 Unknown, 1 New, 2 In Progress and 99 Other pass.
 */
export const OCSF_CLOSED_STATUS_IDS = [3, 4, 5, 6] as const;

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
 * the threshold, Security Hub imported findings (ASFF: active, new or notified) in the matching
 * labels, and Security Hub's OCSF findings (`Findings Imported V2`: detection and compliance
 * findings, not suppressed or resolved) in the matching severities.
 * Security Hub's copies of GuardDuty findings are skipped unless asked for, since the GuardDuty rule
 * already delivers them. Events EventBridge cannot deliver go to `<prefix>-findings-delivery-dlq`,
 * which alarms: a finding must never be dropped silently.
 */
export class FindingRules extends Construct {
  readonly guardDuty: events.Rule;
  readonly securityHub: events.Rule;
  /** Security Hub's OCSF findings (`Findings Imported V2`). */
  readonly securityHubV2: events.Rule;
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

    // Security Hub (v2) sends OCSF findings as `Findings Imported V2`: the same filters, in OCSF's
    // words (severity_id, status_id, metadata.product.name), and only the classes detection parses.
    const ocsf: Record<string, unknown> = {
      class_uid: [...OCSF_FINDING_CLASSES],
      severity_id: ocsfSeverityIdsFrom(props.severityThreshold),
      status_id: [{ 'anything-but': [...OCSF_CLOSED_STATUS_IDS] }],
    };
    if (!props.includeGuardDutyFromSecurityHub)
      ocsf.metadata = { product: { name: [{ 'anything-but': 'GuardDuty' }] } };
    this.securityHubV2 = new events.Rule(this, 'SecurityHubV2', {
      ruleName: `${props.prefix}-securityhub-v2-findings`,
      description: `Security Hub OCSF findings (Findings Imported V2, classes ${OCSF_FINDING_CLASSES.join('/')}) labelled ${securityHubLabelsFrom(props.severityThreshold).join('/')} to ${props.prefix}-findings`,
      eventPattern: {
        source: ['aws.securityhub'],
        detailType: ['Findings Imported V2'],
        detail: { findings: ocsf },
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
