import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The five queues by logical name, as packages/runtime `QueueName` lists them. */
export const QUEUE_NAMES = ['findings', 'coordinator', 'isolator', 'forensics', 'notifier'] as const;
export type LogicalQueueName = (typeof QUEUE_NAMES)[number];

/** A work queue and its dead-letter queue. */
export interface QueuePair {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
}

export interface IrQueuesProps {
  readonly prefix: string;
  /** Deliveries before SQS dead-letters a message; the runtime's retry back-off assumes 5. */
  readonly maxReceiveCount?: number;
  readonly oldestMessageAlarmSeconds: number;
  readonly alarmTopic: sns.ITopic;
}

/**
 * The five work queues with their DLQs (`<prefix>-<name>` and `<prefix>-<name>-dlq`, exactly the
 * names packages/runtime resolves), redrive, SQS-managed encryption, TLS-only access, and two alarms
 * per queue: anything in the DLQ (a message a person must look at), and the oldest message older
 * than the threshold (the pipeline is stuck or under-scaled).
 */
export class IrQueues extends Construct {
  readonly pairs: Readonly<Record<LogicalQueueName, QueuePair>>;

  constructor(scope: Construct, id: string, props: IrQueuesProps) {
    super(scope, id);
    const entries = QUEUE_NAMES.map((name) => [name, this.createPair(name, props)] as const);
    this.pairs = Object.fromEntries(entries) as Record<LogicalQueueName, QueuePair>;
  }

  /** A work queue (`coordinator`) or a DLQ (`coordinator-dlq`) by the name the sender table uses. */
  byName(name: LogicalQueueName | `${LogicalQueueName}-dlq`): sqs.Queue {
    const dlq = name.endsWith('-dlq');
    const pair = this.pairs[(dlq ? name.slice(0, -'-dlq'.length) : name) as LogicalQueueName];
    return dlq ? pair.dlq : pair.queue;
  }

  private createPair(name: LogicalQueueName, props: IrQueuesProps): QueuePair {
    const physical = `${props.prefix}-${name}`;
    const dlq = new sqs.Queue(this, `${name}-dlq`, {
      queueName: `${physical}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queue = new sqs.Queue(this, name, {
      queueName: physical,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Matches IR_VISIBILITY_TIMEOUT_SECONDS; the runtime's heartbeat extends it for long work.
      visibilityTimeout: Duration.seconds(60),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount ?? 5 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const alarmAction = new actions.SnsAction(props.alarmTopic);
    const dlqAlarm = new cloudwatch.Alarm(this, `${name}-dlq-not-empty`, {
      alarmName: `${physical}-dlq-not-empty`,
      alarmDescription: `Messages in ${physical}-dlq: a finding or command was not handled. Inspect the ir-dlq-reason attribute, fix, then redrive.`,
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const ageAlarm = new cloudwatch.Alarm(this, `${name}-oldest-message`, {
      alarmName: `${physical}-oldest-message-age`,
      alarmDescription: `The oldest message in ${physical} waited more than ${props.oldestMessageAlarmSeconds} s: the service is down, failing or under-scaled.`,
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: props.oldestMessageAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [dlqAlarm, ageAlarm]) {
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }
    return { queue, dlq };
  }
}
