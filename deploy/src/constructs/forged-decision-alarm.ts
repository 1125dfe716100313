import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The coordinator's log event (pino `msg`) for a decision refused for its missing or bad signature. */
export const FORGED_DECISION_EVENT = 'forged_decision_refused';

/** Namespace of the stack's log-derived metrics: one per prefix, so two systems in an account never mix. */
export function metricNamespaceOf(prefix: string): string {
  return `IncidentResponse/${prefix}`;
}

/** Settings of {@link ForgedDecisionAlarm}. */
export interface ForgedDecisionAlarmProps {
  readonly prefix: string;
  /** The coordinator's log group (`/<prefix>/response-coordinator`). */
  readonly logGroup: logs.ILogGroup;
  readonly alarmTopic: sns.ITopic;
}

/**
 * Alerts on a forged decision (issue 18): a metric filter on the coordinator's JSON log lines with
 * `msg` = `forged_decision_refused` and an alarm at one or more in five minutes, to the alarm topic.
 * Why from the logs and not the Prometheus counter (`ir_coordinator_forged_decisions_total`): the
 * stack ships no Prometheus; CloudWatch already holds the coordinator's logs, so the alarm works on
 * the day of deployment. A forged decision means some principal that may send to the coordinator
 * queue is compromised (the queue policy admits only the services and the operators' roles).
 */
export class ForgedDecisionAlarm extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ForgedDecisionAlarmProps) {
    super(scope, id);
    const filter = new logs.MetricFilter(this, 'Filter', {
      logGroup: props.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.msg', '=', FORGED_DECISION_EVENT),
      metricNamespace: metricNamespaceOf(props.prefix),
      metricName: 'ForgedDecisions',
      metricValue: '1',
    });
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: `${props.prefix}-forged-decision`,
      alarmDescription:
        'The coordinator refused a decision on its queue whose signature is missing or wrong (forged_decision_refused): a principal that may send to the coordinator queue is forging approvals or rollbacks. The message is in the coordinator DLQ with its reason (do not redrive it); find the sender (the queue policy admits only the five task roles and operatorRoleArns) and contain it.',
      metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
