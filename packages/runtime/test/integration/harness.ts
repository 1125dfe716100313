import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { bootstrap, emulatorClients, isolatedAccount } from '@ir/testkit';
import { inject } from 'vitest';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClientFactory, createLogger, createMetrics } from '../../src/index.js';

/** A fresh emulated account with the system's queues, and clients acting in it. */
export async function queueFixture() {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const system = await bootstrap({ prefix: 'ir', clients });
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  const metrics = createMetrics('test');
  const aws = createAwsClientFactory({
    region,
    endpoint,
    credentials: account.credentials,
    serviceName: 'test',
    homeAccountId: account.accountId,
    callCounter: metrics.awsCallsTotal,
  });
  /** SQS through the runtime's factory, so its calls are counted like a service's. */
  const sqs = await aws.client(SQSClient);
  return { endpoint, region, account, clients, system, logger, lines, metrics, aws, sqs };
}

/** Visible plus in-flight messages, read from SQS. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Drains a dead-letter queue (waiting briefly for messages to arrive) and returns what was in it. */
export async function readDeadLetters(sqs: SQSClient, dlqUrl: string, expected: number, timeoutMs = 15_000) {
  const messages = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...(output.Messages ?? []));
  }
  return messages;
}

/** Polls `check` until it returns true or the time runs out. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
