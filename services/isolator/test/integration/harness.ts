import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage, type MessageOf, type PayloadOf, parseMessage } from '@ir/contracts';
import { createLogger, type QueueService } from '@ir/runtime';
import { bootstrap, emulatorClients, isolatedAccount, receiveMessages } from '@ir/testkit';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import { createService } from '../../src/service.js';
import { loadConfig } from '../../src/config.js';
import type { IsolatorMessageType } from '../../src/actions/table.js';

/** The answer of the isolator to one command. */
export type StepAnswer = MessageOf<'step.succeeded'> | MessageOf<'step.failed'>;

/**
 * One emulated account with the system's queues and a running isolator consuming its queue; the test
 * plays the coordinator: it sends commands and reads the answers from the coordinator queue.
 */
export async function isolatorFixture(env: Record<string, string> = {}) {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const system = await bootstrap({ prefix: 'ir', clients });
  const config = loadConfig({
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    IR_HOME_ACCOUNT_ID: account.accountId,
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_VISIBILITY_TIMEOUT_SECONDS: '30',
    IR_HEARTBEAT_SECONDS: '10',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '2',
    IR_SHUTDOWN_GRACE_SECONDS: '2',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const registry = new Registry();
  const logger = createLogger({ service: 'isolator-test', level: 'silent' });
  const service: QueueService = await createService(config, {
    credentials: account.credentials,
    registry,
    logger,
  });
  await service.start();

  /** Sends one command as the coordinator would, and waits for the isolator's answer. */
  async function runStep<T extends IsolatorMessageType>(
    type: T,
    params: PayloadOf<T>['params'],
    options: { dryRun?: boolean; incidentId?: string } = {},
  ): Promise<StepAnswer> {
    const stepId = `step-${randomUUID()}`;
    const command = buildMessage(type, {
      incidentId: options.incidentId ?? 'inc-test-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'test-coordinator',
      dryRun: options.dryRun ?? false,
      payload: {
        stepId,
        action: type,
        playbookId: 'test',
        target: { accountId: account.accountId, region },
        timeoutSeconds: 120,
        params,
      },
    } as never);
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: system.queues.isolator.url, MessageBody: JSON.stringify(command) }),
    );
    const [answer] = await receiveMessages(clients.sqs, system.queues.coordinator.url, 1, 50_000);
    if (!answer?.Body) throw new Error(`no answer to ${type} ${stepId}`);
    const parsed = parseMessage(answer.Body) as StepAnswer;
    if (parsed.payload.stepId !== stepId) throw new Error(`answer to another step: ${parsed.payload.stepId}`);
    return parsed;
  }

  return {
    endpoint,
    region,
    account,
    clients,
    system,
    config,
    registry,
    runStep,
    async stop() {
      await service.stop();
      clients.destroy();
    },
  };
}

/** The payload of a step.succeeded answer; fails the test with the reason otherwise. */
export function succeeded(answer: StepAnswer): PayloadOf<'step.succeeded'> {
  if (answer.type !== 'step.succeeded') {
    throw new Error(`expected step.succeeded, got ${answer.type}: ${JSON.stringify(answer.payload)}`);
  }
  return answer.payload;
}
