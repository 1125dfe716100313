import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  createPublisher,
  createQueueService,
  createRuntime,
  createStepMetrics,
  createStepWorker,
  type Logger,
  type QueueService,
  resolveQueueUrls,
  type RuntimeOverrides,
} from '@ir/runtime';
import type { Registry } from 'prom-client';
import type { Channel, ChannelName } from './channels/channel.js';
import { emailChannel } from './channels/email.js';
import { jiraChannel } from './channels/jira.js';
import { pagerDutyChannel } from './channels/pagerduty.js';
import { securityHubChannel } from './channels/security-hub.js';
import { slackChannel } from './channels/slack.js';
import { snsChannel } from './channels/sns.js';
import { webhookChannel } from './channels/webhook.js';
import { configuredChannels, type NotifierConfig, secretValues, slackBotConfigured } from './config.js';
import type { RetryTools } from './delivery/retry.js';
import { createScrubber } from './delivery/scrub.js';
import { createFindingSyncMetrics } from './finding-sync/metrics.js';
import { createHandlers } from './handlers/index.js';
import { createNotifierMetrics } from './metrics.js';
import { loadRoutes, type RoutingFile } from './routing/routes.js';

/** The service's name in logs, metrics and the `producer` of its messages. */
export const SERVICE_NAME = 'notifier';

/** What tests inject: credentials, registry, logger, clock, ids, an already parsed routing file. */
export interface NotifierDeps {
  readonly credentials?: RuntimeOverrides['credentials'];
  readonly registry?: Registry;
  readonly logger?: Logger;
  /** The step worker's clock (deadlines, answer times); give `retryTools` the same clock. */
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Skips reading `IR_NOTIFY_ROUTES`; validated all the same. */
  readonly routing?: RoutingFile;
  readonly retryTools?: RetryTools;
}

/** The region in an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`). */
function topicRegion(arn: string): string | undefined {
  return arn.split(':')[3];
}

/** Builds the configured channels; `configuredChannels` guarantees their variables are set. */
async function buildChannels(config: NotifierConfig, aws: Awaited<ReturnType<typeof createRuntime>>['aws']) {
  const channels = new Map<ChannelName, Channel>();
  const attemptTimeoutMs = config.IR_NOTIFY_ATTEMPT_TIMEOUT_SECONDS * 1000;
  for (const name of configuredChannels(config)) {
    switch (name) {
      case 'slack':
        channels.set(
          name,
          slackChannel({
            ...(config.IR_SLACK_WEBHOOK_URL ? { webhookUrl: config.IR_SLACK_WEBHOOK_URL } : {}),
            ...(slackBotConfigured(config)
              ? {
                  bot: {
                    token: config.IR_SLACK_BOT_TOKEN ?? '',
                    channel: config.IR_SLACK_APPROVAL_CHANNEL ?? '',
                    apiUrl: config.IR_SLACK_API_URL,
                  },
                }
              : {}),
          }),
        );
        break;
      case 'pagerduty':
        channels.set(
          name,
          pagerDutyChannel({
            routingKey: config.IR_PAGERDUTY_ROUTING_KEY ?? '',
            eventsUrl: config.IR_PAGERDUTY_EVENTS_URL,
            source: config.IR_PAGERDUTY_SOURCE,
          }),
        );
        break;
      case 'email':
        channels.set(
          name,
          emailChannel({
            host: config.IR_SMTP_HOST ?? '',
            port: config.IR_SMTP_PORT,
            secure: config.IR_SMTP_SECURE,
            requireTls: config.IR_SMTP_REQUIRE_TLS,
            user: config.IR_SMTP_USER,
            password: config.IR_SMTP_PASSWORD,
            from: config.IR_EMAIL_FROM ?? '',
            to: config.IR_EMAIL_TO,
            attemptTimeoutMs,
          }),
        );
        break;
      case 'sns': {
        const topicArn = config.IR_SNS_TOPIC_ARN ?? '';
        channels.set(
          name,
          snsChannel({ client: await aws.client(SNSClient, { region: topicRegion(topicArn) }), topicArn }),
        );
        break;
      }
      case 'webhook':
        channels.set(
          name,
          webhookChannel({ url: config.IR_WEBHOOK_URL ?? '', secret: config.IR_WEBHOOK_SECRET ?? '' }),
        );
        break;
      case 'securityhub':
        channels.set(
          name,
          securityHubChannel({
            client: await aws.client(SecurityHubClient),
            region: config.AWS_REGION,
            homeAccountId: () => aws.homeAccountId(),
          }),
        );
        break;
      case 'jira':
        channels.set(
          name,
          jiraChannel({
            baseUrl: config.IR_JIRA_BASE_URL ?? '',
            email: config.IR_JIRA_EMAIL ?? '',
            apiToken: config.IR_JIRA_API_TOKEN ?? '',
            projectKey: config.IR_JIRA_PROJECT_KEY ?? '',
            issueType: config.IR_JIRA_ISSUE_TYPE,
            transitions: {
              contained: config.IR_JIRA_TRANSITION_CONTAINED,
              resolved: config.IR_JIRA_TRANSITION_RESOLVED,
            },
          }),
        );
        break;
    }
  }
  return channels;
}

/**
 * Builds the notifier: the runtime, the configured channels, the validated routing file (a routing
 * error stops the service here, naming the path in the file), the publisher to the coordinator and
 * the step worker on `${IR_PREFIX}-notifier`, which checks each command's deadline, runs the action
 * and answers `step.succeeded` / `step.failed`.
 */
export async function createService(config: NotifierConfig, deps: NotifierDeps = {}): Promise<QueueService> {
  const configured = configuredChannels(config);
  const routing = deps.routing ?? (await loadRoutes(config.IR_NOTIFY_ROUTES, configured));
  const runtime = await createRuntime(SERVICE_NAME, config, {
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
  });
  runtime.logger.info({ channels: configured, routes: routing.routes.length }, 'routing_loaded');
  const publisher = createPublisher(
    runtime.sqs,
    await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, ['coordinator']),
  );
  const now = deps.now ?? (() => new Date());
  const actions = createHandlers({
    channels: await buildChannels(config, runtime.aws),
    routing,
    policy: {
      maxAttempts: config.IR_NOTIFY_MAX_ATTEMPTS,
      baseDelayMs: config.IR_NOTIFY_RETRY_BASE_MS,
      maxDelayMs: config.IR_NOTIFY_RETRY_MAX_MS,
      attemptTimeoutMs: config.IR_NOTIFY_ATTEMPT_TIMEOUT_SECONDS * 1000,
    },
    metrics: createNotifierMetrics(runtime.metrics.registry),
    scrub: createScrubber(secretValues(config)),
    handlerTimeoutMs: config.IR_HANDLER_TIMEOUT_SECONDS * 1000,
    ...(deps.retryTools ? { tools: deps.retryTools } : {}),
    // Marking findings at their source (notify.finding-workflow) acts from our own account, the
    // Security Hub and GuardDuty administrator, in the finding's region.
    findingSync: {
      securityHub: (region) => runtime.aws.client(SecurityHubClient, { region }),
      // Imported on first use, like the action that calls it (handlers/index.ts).
      guardDuty: async (region) =>
        runtime.aws.client((await import('@aws-sdk/client-guardduty')).GuardDutyClient, { region }),
      syncTotal: createFindingSyncMetrics(runtime.metrics.registry),
    },
  });
  // No account policy: the notifier acts in our own account only (the target is what the message is
  // about), so a member account missing from IR_ALLOWED_ACCOUNTS must not silence its notifications.
  const steps = createStepWorker({
    service: SERVICE_NAME,
    actions,
    publisher,
    aws: runtime.aws,
    metrics: createStepMetrics(runtime.metrics.registry),
    maxAttempts: config.IR_STEP_MAX_ATTEMPTS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
    now,
    ...(deps.newId ? { newId: deps.newId } : {}),
  });
  return createQueueService({
    name: SERVICE_NAME,
    config,
    runtime,
    queue: 'notifier',
    // A slow channel (a webhook near its time-out) must not hold back the notices received with it.
    receiveLoops: 'per-slot',
    parse: steps.parse,
    handle: steps.handle,
  });
}
