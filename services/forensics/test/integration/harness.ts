import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage, type MessageOf } from '@ir/contracts';
import { createLogger, type QueueService } from '@ir/runtime';
import { bootstrap, emulatorClients, eventually, isolatedAccount } from '@ir/testkit';
import { ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { createService, type ForensicsDeps } from '../../src/service.js';
import { loadConfig } from '../../src/config.js';
import type { EvidenceType } from '../../src/handlers/types.js';
import { managedInstanceFrom } from '../../src/volatile/managed-instance.js';

/** A step result as the coordinator receives it. */
export type StepResult = MessageOf<'step.succeeded'> | MessageOf<'step.failed'>;

/**
 * A fresh emulated account with the system's queues and evidence bucket, and the forensics service
 * running against it. moto does not implement SSM DescribeInstanceInformation, so the managed-instance
 * look-up is replaced (by default: every instance is an Online Linux managed instance).
 */
export async function forensicsFixture(
  overrides: Partial<ForensicsDeps> & { env?: Record<string, string> } = {},
) {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const system = await bootstrap({ prefix: 'ir', clients });
  const config = loadConfig({
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    IR_EVIDENCE_BUCKET: system.bucketName,
    IR_HOME_ACCOUNT_ID: account.accountId,
    IR_HTTP_PORT: '0',
    IR_HTTP_HOST: '127.0.0.1',
    IR_WAIT_TIME_SECONDS: '1',
    IR_SSM_POLL_SECONDS: '1',
    IR_SSM_COMMAND_TIMEOUT_SECONDS: '30',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '2',
    ...overrides.env,
  });
  const { env: _env, ...deps } = overrides;
  const service: QueueService = await createService(config, {
    credentials: account.credentials,
    logger: createLogger({ service: 'forensics-test', level: 'silent' }),
    managedInstance: async (_ssm, instanceId) =>
      managedInstanceFrom(instanceId, { PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: '3.3.0' }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
    ...deps,
  });
  await service.start();
  const incidentId = `inc-${randomUUID().slice(0, 8)}`;
  const results = new Map<string, StepResult>();

  /** Sends one evidence command and waits for the coordinator to receive its result. */
  async function run<T extends EvidenceType>(
    type: T,
    params: MessageOf<T>['payload']['params'],
    options: { stepId?: string; dryRun?: boolean; incidentId?: string } = {},
  ): Promise<StepResult> {
    const command: { id: string } = buildMessage(type, {
      incidentId: options.incidentId ?? incidentId,
      correlationId: options.incidentId ?? incidentId,
      causationId: null,
      producer: 'test',
      dryRun: options.dryRun ?? false,
      payload: {
        stepId: options.stepId ?? type.replace('evidence.', ''),
        action: type,
        playbookId: 'test-playbook',
        target: { accountId: account.accountId, region },
        timeoutSeconds: 300,
        params,
      },
    } as never);
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: system.queues.forensics.url, MessageBody: JSON.stringify(command) }),
    );
    await eventually(
      async () => {
        const output = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: system.queues.coordinator.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        for (const message of output.Messages ?? []) {
          const parsed = JSON.parse(message.Body ?? '{}') as StepResult;
          results.set(parsed.causationId ?? '', parsed);
          await clients.sqs.send(
            new DeleteMessageCommand({
              QueueUrl: system.queues.coordinator.url,
              ReceiptHandle: message.ReceiptHandle,
            }),
          );
        }
        return results.has(command.id);
      },
      45_000,
      `result of ${type}`,
    );
    return results.get(command.id) as StepResult;
  }

  return { endpoint, region, account, clients, system, config, service, incidentId, run };
}

/** The fixture's type. */
export type ForensicsFixture = Awaited<ReturnType<typeof forensicsFixture>>;
