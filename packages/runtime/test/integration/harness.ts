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

/** Worker settings of the runtime's tests: short polls and retries, so a test takes seconds. */
export const testTuning = {
  concurrency: 5,
  visibilityTimeoutSeconds: 10,
  heartbeatSeconds: 4,
  handlerTimeoutMs: 20_000,
  waitTimeSeconds: 1,
  retryBaseSeconds: 1,
  retryMaxSeconds: 2,
};
