import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The SNS topic every alarm of the stack notifies, encrypted with its own key (which CloudWatch may
 * use, or alarms could not publish) and reachable over TLS only. An e-mail subscription is added when
 * an address is configured; otherwise subscribe your pager to the topic.
 */
export function createAlarmTopic(scope: Construct, prefix: string, email?: string): sns.Topic {
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    alias: `alias/${prefix}-alarms`,
    description: 'Incident-response alarm notifications',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      // EventBridge too: the break-glass rules (evidence-alarms.ts) publish to this topic.
      principals: [
        new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        new iam.ServicePrincipal('events.amazonaws.com'),
      ],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    topicName: `${prefix}-alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  if (email) topic.addSubscription(new subscriptions.EmailSubscription(email));
  return topic;
}
