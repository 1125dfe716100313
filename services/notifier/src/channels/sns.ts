import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { jsonDocument, type Notification, titleOf } from '../format/notification.js';
import type { Channel } from './channel.js';

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
function subjectOf(notification: Notification): string {
  return titleOf(notification)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
}

/** Settings of {@link snsChannel}. */
export interface SnsSettings {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/**
 * Publishes the JSON document to a topic, with `type`, `incidentId`, `stage` and `severityBand` as
 * message attributes so subscriptions can filter (e.g. only CRITICAL to the on-call SMS list).
 * Delivered means SNS returned a MessageId.
 */
export function snsChannel(settings: SnsSettings): Channel {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    name: 'sns',
    maxAttempts: 1,
    async send(notification, signal) {
      const output = await settings.client.send(
        new PublishCommand({
          TopicArn: settings.topicArn,
          Subject: subjectOf(notification),
          Message: JSON.stringify(jsonDocument(notification)),
          MessageAttributes: {
            type: text('notify.incident'),
            incidentId: text(notification.incidentId),
            stage: text(notification.stage),
            severityBand: text(notification.severityBand),
          },
        }),
        { abortSignal: signal },
      );
      if (!output.MessageId) throw new Error('sns: Publish returned no MessageId');
      return { detail: { messageId: output.MessageId } };
    },
  };
}
