import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import type { EmulatorClients } from '@ir/testkit';

/** One notification the notifier published, as `pnpm dev` shows it. */
export interface TappedNotification {
  readonly incidentId: string;
  readonly stage: string;
  readonly severityBand: string;
  readonly summary: string;
}

/**
 * Subscribes an SQS queue to the notifications topic on the emulator (real SNS → SQS delivery) and
 * hands each notification the notifier publishes to `onNotification` until `stop()` is called.
 */
export async function tapNotifications(
  clients: EmulatorClients,
  topicArn: string,
  onNotification: (notification: TappedNotification) => void,
): Promise<{ stop(): void }> {
  const { QueueUrl: queueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: 'ir-dev-notifications' }),
  );
  if (!queueUrl) throw new Error('could not create the notifications tap queue');
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn ?? '';
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            },
          ],
        }),
      },
    }),
  );
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  let running = true;
  void (async () => {
    while (running) {
      const output = await clients.sqs
        .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))
        .catch(() => ({ Messages: [] }));
      for (const message of output.Messages ?? []) {
        try {
          const body = JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
          onNotification({
            incidentId: String(body.incidentId ?? '?'),
            stage: String(body.stage ?? '?'),
            severityBand: String(body.severityBand ?? '?'),
            summary: String(body.summary ?? ''),
          });
        } catch {
          // Not a notifier document: ignore it in the tap.
        }
        await clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  })();
  return {
    stop() {
      running = false;
    },
  };
}
