import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { buildMessage, type MessageOf, type PayloadOf } from '@ir/contracts';
import { baseClientConfig, createLogger } from '@ir/runtime';
import { bootstrap, emulatorClients, isolatedAccount, receiveMessages } from '@ir/testkit';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import { createService } from '../../src/service.js';
import { loadConfig } from '../../src/config.js';
import { startHttpReceivers } from './http-receivers.js';
import { startSmtpReceiver } from './smtp-receiver.js';

/** The routing file the integration tests run with (read from disk, as in production). */
export const TEST_ROUTES = `
routes:
  - bands: [CRITICAL]
    channels: [jira, slack, pagerduty, email, sns, webhook, securityhub]
  - bands: [HIGH]
    channels: [slack, pagerduty]
  - bands: [MEDIUM, LOW]
    stages: [opened, approval-needed, step-failed]
    channels: [slack]
  - bands: [LOW]
    stages: [contained]
    channels: [webhook]
fallbacks:
  slack: email
  pagerduty: sns
`;

/** Secret values, distinctive so a test can search captured logs and results for them. */
export const SECRETS = {
  slackPath: '/services/T0SECRET/B0SECRET/slackSecretToken4242',
  pagerDutyRoutingKey: 'pdRoutingKeySecret0123456789abcd',
  jiraEmail: 'ir-bot@example.com',
  jiraToken: 'jiraApiTokenSecretATATT3xFf',
  webhookSecret: 'webhookHmacSecret-9f8e7d6c5b4a',
  webhookPath: '/hooks/ir',
  webhookQueryToken: 'webhookUrlTokenSecret77',
  smtpUser: 'ir-mailer',
  smtpPassword: 'smtpPasswordSecret!55',
} as const;

/** A running notifier in its own emulated account, with every receiver it talks to. */
export async function startNotifier() {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const settings = { endpoint, region, credentials: account.credentials };
  const clients = emulatorClients(settings);
  const system = await bootstrap({ prefix: 'ir', clients });
  const sns = new SNSClient(baseClientConfig(settings));
  const securityHub = new SecurityHubClient(baseClientConfig(settings));
  await securityHub.send(new EnableSecurityHubCommand({}));

  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'ir-notifications' }))).TopicArn ?? '';
  const subscriberUrl =
    (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'notify-subscriber' }))).QueueUrl ?? '';
  const subscriberArn =
    (
      await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: subscriberUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn ?? '';
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: subscriberArn }));

  const http = await startHttpReceivers(SECRETS);
  const smtp = await startSmtpReceiver(SECRETS.smtpUser, SECRETS.smtpPassword);
  const dir = await mkdtemp(join(tmpdir(), 'ir-notifier-'));
  const routesPath = join(dir, 'routes.yaml');
  await writeFile(routesPath, TEST_ROUTES);

  const config = loadConfig({
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    IR_HOME_ACCOUNT_ID: account.accountId,
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_VISIBILITY_TIMEOUT_SECONDS: '30',
    IR_HEARTBEAT_SECONDS: '10',
    LOG_LEVEL: 'debug',
    IR_NOTIFY_ROUTES: routesPath,
    IR_NOTIFY_ATTEMPT_TIMEOUT_SECONDS: '5',
    IR_NOTIFY_MAX_ATTEMPTS: '3',
    IR_NOTIFY_RETRY_BASE_MS: '100',
    IR_NOTIFY_RETRY_MAX_MS: '1000',
    IR_SLACK_WEBHOOK_URL: `${http.baseUrl}${SECRETS.slackPath}`,
    IR_PAGERDUTY_ROUTING_KEY: SECRETS.pagerDutyRoutingKey,
    IR_PAGERDUTY_EVENTS_URL: `${http.baseUrl}/v2/enqueue`,
    IR_SMTP_HOST: '127.0.0.1',
    IR_SMTP_PORT: String(smtp.port),
    IR_SMTP_REQUIRE_TLS: 'false',
    IR_SMTP_USER: SECRETS.smtpUser,
    IR_SMTP_PASSWORD: SECRETS.smtpPassword,
    IR_EMAIL_FROM: 'ir@example.com',
    IR_EMAIL_TO: 'soc@example.com, oncall@example.com',
    IR_SNS_TOPIC_ARN: topicArn,
    IR_WEBHOOK_URL: `${http.baseUrl}${SECRETS.webhookPath}?token=${SECRETS.webhookQueryToken}`,
    IR_WEBHOOK_SECRET: SECRETS.webhookSecret,
    IR_SECURITYHUB_ENABLED: 'true',
    IR_JIRA_BASE_URL: http.baseUrl,
    IR_JIRA_EMAIL: SECRETS.jiraEmail,
    IR_JIRA_API_TOKEN: SECRETS.jiraToken,
    IR_JIRA_PROJECT_KEY: 'SEC',
  });

  const lines: string[] = [];
  const logger = createLogger({
    service: 'notifier',
    level: 'debug',
    destination: {
      write(chunk: string) {
        lines.push(chunk);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  const registry = new Registry();
  const service = await createService(config, { credentials: account.credentials, logger, registry });
  await service.start();

  const results: Message[] = [];
  /** Sends a notify.incident command to the notifier queue; returns it. */
  async function send(
    params: PayloadOf<'notify.incident'>['params'],
    options: { dryRun?: boolean; incidentId?: string; timeoutSeconds?: number } = {},
  ): Promise<MessageOf<'notify.incident'>> {
    const incidentId = options.incidentId ?? `inc-${randomUUID().slice(0, 8)}`;
    const command = buildMessage('notify.incident', {
      incidentId,
      correlationId: `corr-${incidentId}`,
      causationId: null,
      producer: 'response-coordinator',
      dryRun: options.dryRun ?? false,
      payload: {
        stepId: `notify-${params.stage}`,
        action: 'notify.incident',
        playbookId: 'ec2-compromise',
        target: { accountId: '111122223333', region: 'eu-west-1' },
        timeoutSeconds: options.timeoutSeconds ?? 60,
        params,
      },
    });
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: system.queues.notifier.url, MessageBody: JSON.stringify(command) }),
    );
    return command;
  }

  /** The step result the notifier sent to the coordinator queue for a command. */
  async function resultOf(
    command: { id: string },
    timeoutMs = 40_000,
  ): Promise<MessageOf<'step.succeeded'> | MessageOf<'step.failed'>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = results.find(
        (m) => (JSON.parse(m.Body ?? '{}') as { causationId?: string }).causationId === command.id,
      );
      if (found)
        return JSON.parse(found.Body ?? '{}') as MessageOf<'step.succeeded'> | MessageOf<'step.failed'>;
      if (Date.now() > deadline) throw new Error(`no step result for command ${command.id}`);
      results.push(...(await receiveMessages(clients.sqs, system.queues.coordinator.url, 1, 2_000)));
    }
  }

  return {
    account,
    clients,
    system,
    sns,
    securityHub,
    subscriberUrl,
    http,
    smtp,
    lines,
    registry,
    results,
    send,
    resultOf,
    reset() {
      http.reset();
      smtp.reset();
    },
    async stop() {
      await service.stop();
      await http.close();
      await smtp.close();
      sns.destroy();
      securityHub.destroy();
      clients.destroy();
    },
  };
}

/** The fixture's type. */
export type NotifierFixture = Awaited<ReturnType<typeof startNotifier>>;
