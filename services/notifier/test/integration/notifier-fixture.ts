import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { MessageOf, PayloadOf } from '@ir/contracts';
import { baseClientConfig } from '@ir/runtime';
import { serviceHarness, type StepAnswer } from '@ir/testkit';
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
  // Random per run, shaped as Slack's bot tokens are.
  slackBotToken: `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(16).toString('hex')}`,
  pagerDutyRoutingKey: 'pdRoutingKeySecret0123456789abcd',
  jiraEmail: 'ir-bot@example.com',
  jiraToken: 'jiraApiTokenSecretATATT3xFf',
  webhookSecret: 'webhookHmacSecret-9f8e7d6c5b4a',
  webhookPath: '/hooks/ir',
  webhookQueryToken: 'webhookUrlTokenSecret77',
  smtpUser: 'ir-mailer',
  smtpPassword: 'smtpPasswordSecret!55',
} as const;

/** Options of {@link startNotifier}. */
export interface NotifierOptions {
  /** Also configure the Slack bot (Web API stand-in, approval channel), as well as the webhook. */
  readonly slackBot?: boolean;
  /** More notifier variables, set last (e.g. Jira transition names). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The channel the Slack bot posts approvals to in these tests. */
export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** A running notifier in its own emulated account, with every receiver it talks to. */
export async function startNotifier(options: NotifierOptions = {}) {
  const harness = await serviceHarness({
    endpoint: inject('awsEndpoint'),
    steps: {
      producer: 'response-coordinator',
      playbookId: 'ec2-compromise',
      target: { accountId: '111122223333', region: 'eu-west-1' },
      answerTimeoutMs: 40_000,
    },
  });
  const { account, clients, system } = harness;
  const sns = clients.sns;
  const securityHub = new SecurityHubClient(
    baseClientConfig({
      endpoint: harness.endpoint,
      region: harness.region,
      credentials: account.credentials,
    }),
  );
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

  const config = loadConfig(
    harness.workerEnv({
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
      ...(options.slackBot
        ? {
            IR_SLACK_BOT_TOKEN: SECRETS.slackBotToken,
            IR_SLACK_APPROVAL_CHANNEL: APPROVAL_CHANNEL,
            IR_SLACK_API_URL: `${http.baseUrl}/api`,
          }
        : {}),
      ...options.env,
    }),
  );

  const lines: string[] = [];
  const registry = new Registry();
  const logged = (line: string) => lines.push(line);
  await harness.start(
    createService(config, {
      ...harness.serviceDeps('notifier', { level: 'debug', onLine: logged }),
      registry,
    }),
  );

  /** Sends a notify.incident command to the notifier queue; returns it. */
  function send(
    params: PayloadOf<'notify.incident'>['params'],
    options: { dryRun?: boolean; incidentId?: string; timeoutSeconds?: number } = {},
  ): Promise<MessageOf<'notify.incident'>> {
    return harness.sendStep('notifier', 'notify.incident', params, {
      ...options,
      stepId: `notify-${params.stage}`,
      timeoutSeconds: options.timeoutSeconds ?? 60,
    });
  }

  /** The step result the notifier sent to the coordinator queue for a command. */
  function resultOf(command: { id: string }, timeoutMs = 40_000): Promise<StepAnswer> {
    return harness.answerTo(command, timeoutMs);
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
    /** Every message the test read from the coordinator queue, raw. */
    results: harness.received,
    send,
    resultOf,
    reset() {
      http.reset();
      smtp.reset();
    },
    async stop() {
      await harness.stop();
      await http.close();
      await smtp.close();
      securityHub.destroy();
    },
  };
}

/** The fixture's type. */
export type NotifierFixture = Awaited<ReturnType<typeof startNotifier>>;
