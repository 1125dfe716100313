import { ConfigError, type Env, env, StepWorkerEnv, loadConfig as parseEnvironment } from '@ir/runtime';
import { z } from 'zod';
import type { ChannelName } from './channels/channel.js';
import { PUBLISH_RESERVE_MS } from './delivery/budget.js';

const optionalText = z.string().trim().min(1).optional();
const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/**
 * The notifier's environment: the step worker's (`IR_STEP_MAX_ATTEMPTS` included) plus channels and
 * their retry policy. Secrets (webhook URLs, tokens, the SMTP password, the webhook signing
 * secret) come from the environment, which ECS fills from Secrets Manager; `redactConfig` hides them
 * in the start-up log because their names match its secret pattern.
 */
export const NotifierEnv = StepWorkerEnv.extend({
  IR_NOTIFY_ROUTES: z.string().trim().min(1, 'path of the routing YAML file is required'),
  IR_NOTIFY_ATTEMPT_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  IR_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  IR_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(0).default(500),
  IR_NOTIFY_RETRY_MAX_MS: z.coerce.number().int().positive().default(30_000),
  IR_SLACK_WEBHOOK_URL: z.url().optional(),
  /**
   * The Slack app's bot token (scope `chat:write`): with `IR_SLACK_APPROVAL_CHANNEL`, notifications
   * that hold steps for approval are posted by the bot with Approve and Reject buttons.
   */
  IR_SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xoxb-[A-Za-z0-9-]+$/, 'a Slack bot token (xoxb-...)')
    .optional(),
  /** The channel the bot posts to: its id (e.g. C0123456789), which survives renames. */
  IR_SLACK_APPROVAL_CHANNEL: optionalText,
  /** Slack's Web API base URL; tests point it at a local stand-in. */
  IR_SLACK_API_URL: z.url().default('https://slack.com/api'),
  IR_PAGERDUTY_ROUTING_KEY: optionalText,
  IR_PAGERDUTY_EVENTS_URL: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  IR_PAGERDUTY_SOURCE: z.string().min(1).default('aws-incident-response'),
  IR_SMTP_HOST: optionalText,
  IR_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  IR_SMTP_SECURE: env.booleanFlag(false),
  IR_SMTP_REQUIRE_TLS: env.booleanFlag(true),
  IR_SMTP_USER: optionalText,
  IR_SMTP_PASSWORD: optionalText,
  IR_EMAIL_FROM: z.email().optional(),
  IR_EMAIL_TO: commaList.pipe(z.array(z.email())),
  IR_SNS_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'an SNS topic ARN')
    .optional(),
  IR_WEBHOOK_URL: z.url().optional(),
  IR_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  IR_SECURITYHUB_ENABLED: env.booleanFlag(false),
  IR_JIRA_BASE_URL: z.url().optional(),
  IR_JIRA_EMAIL: optionalText,
  IR_JIRA_API_TOKEN: optionalText,
  IR_JIRA_PROJECT_KEY: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]+$/, 'a Jira project key such as SEC')
    .optional(),
  IR_JIRA_ISSUE_TYPE: z.string().min(1).default('Task'),
  /**
   * The name of the workflow transition the issue takes when the incident is contained (as
   * `GET /rest/api/3/issue/{key}/transitions` lists it). A name the issue's workflow does not offer
   * fails the delivery with the names it does offer.
   */
  IR_JIRA_TRANSITION_CONTAINED: z.string().trim().min(1).default('In Progress'),
  /** The transition the issue takes when the incident is resolved (see `IR_JIRA_TRANSITION_CONTAINED`). */
  IR_JIRA_TRANSITION_RESOLVED: z.string().trim().min(1).default('Done'),
});
/** @see NotifierEnv */
export type NotifierConfig = z.infer<typeof NotifierEnv>;

/**
 * The variables a channel needs, as alternative sets: a channel is configured when all variables of
 * one set are set, and a set that is half-set is an error. Slack has two: the incoming webhook, and
 * the bot (token and channel) that posts approval messages with buttons; either or both.
 */
const channelVariables = {
  slack: [['IR_SLACK_WEBHOOK_URL'], ['IR_SLACK_BOT_TOKEN', 'IR_SLACK_APPROVAL_CHANNEL']],
  pagerduty: [['IR_PAGERDUTY_ROUTING_KEY']],
  email: [['IR_SMTP_HOST', 'IR_EMAIL_FROM', 'IR_EMAIL_TO']],
  sns: [['IR_SNS_TOPIC_ARN']],
  webhook: [['IR_WEBHOOK_URL', 'IR_WEBHOOK_SECRET']],
  securityhub: [['IR_SECURITYHUB_ENABLED']],
  jira: [['IR_JIRA_BASE_URL', 'IR_JIRA_EMAIL', 'IR_JIRA_API_TOKEN', 'IR_JIRA_PROJECT_KEY']],
} as const satisfies Record<ChannelName, readonly (readonly (keyof NotifierConfig)[])[]>;

function isSet(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== false;
}

const allSet = (config: NotifierConfig, variables: readonly (keyof NotifierConfig)[]) =>
  variables.every((variable) => isSet(config[variable]));

/** The channels with one set of variables all set, in a stable order. */
export function configuredChannels(config: NotifierConfig): ChannelName[] {
  return (Object.keys(channelVariables) as ChannelName[]).filter((channel) =>
    channelVariables[channel].some((variables) => allSet(config, variables)),
  );
}

/** Whether the Slack bot (Web API, approval buttons) is configured. */
export function slackBotConfigured(config: NotifierConfig): boolean {
  return allSet(config, ['IR_SLACK_BOT_TOKEN', 'IR_SLACK_APPROVAL_CHANNEL']);
}

/** The variables a channel can use, for error messages that tell the operator what to set. */
export function variablesOf(channel: ChannelName): readonly string[] {
  return channelVariables[channel].flat();
}

/**
 * Parses and checks the notifier's environment. Beyond the schema: a channel set up halfway (a Jira
 * URL without a token, an SMTP user without a password) is an error naming the missing variables,
 * because it would otherwise fail only at the first incident; so is a handler time-out that leaves no
 * delivery budget once the publish reserve is kept.
 */
export function loadConfig(environment: Env = process.env): NotifierConfig {
  const config = parseEnvironment(NotifierEnv, environment);
  const problems: { variable: string; text: string }[] = [];
  for (const channel of Object.keys(channelVariables) as ChannelName[]) {
    for (const variables of channelVariables[channel] as readonly (readonly (keyof NotifierConfig)[])[]) {
      const missing = variables.filter((variable) => !isSet(config[variable]));
      if (missing.length > 0 && missing.length < variables.length) {
        for (const variable of missing) {
          problems.push({ variable, text: `${variable}: required to use the ${channel} channel` });
        }
      }
    }
  }
  if (config.IR_SMTP_USER && !config.IR_SMTP_PASSWORD) {
    problems.push({ variable: 'IR_SMTP_PASSWORD', text: 'IR_SMTP_PASSWORD: required with IR_SMTP_USER' });
  }
  if (config.IR_SMTP_PASSWORD && !config.IR_SMTP_USER) {
    problems.push({ variable: 'IR_SMTP_USER', text: 'IR_SMTP_USER: required with IR_SMTP_PASSWORD' });
  }
  if (config.IR_NOTIFY_RETRY_BASE_MS > config.IR_NOTIFY_RETRY_MAX_MS) {
    problems.push({
      variable: 'IR_NOTIFY_RETRY_BASE_MS',
      text: `IR_NOTIFY_RETRY_BASE_MS (${config.IR_NOTIFY_RETRY_BASE_MS}) must not exceed IR_NOTIFY_RETRY_MAX_MS (${config.IR_NOTIFY_RETRY_MAX_MS})`,
    });
  }
  if (config.IR_HANDLER_TIMEOUT_SECONDS * 1000 <= PUBLISH_RESERVE_MS) {
    problems.push({
      variable: 'IR_HANDLER_TIMEOUT_SECONDS',
      text: `IR_HANDLER_TIMEOUT_SECONDS (${config.IR_HANDLER_TIMEOUT_SECONDS}) must be longer than the ${PUBLISH_RESERVE_MS / 1000} s kept to publish the answer, or no notification has time to be sent`,
    });
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid configuration: ${problems.map((problem) => problem.text).join('; ')}`,
      problems.map((problem) => problem.variable),
    );
  }
  return config;
}

/**
 * Every secret value in the config, so error texts can be scrubbed of them before they leave. A URL
 * counts with its path, query and each query value too: Slack's webhook secret is its path, and a
 * receiver echoing only the path must not leak it.
 */
export function secretValues(config: NotifierConfig): string[] {
  const urls = [config.IR_SLACK_WEBHOOK_URL, config.IR_WEBHOOK_URL].filter(
    (url): url is string => url !== undefined,
  );
  const urlParts = urls.flatMap((url) => {
    const parsed = new URL(url);
    return [url, parsed.pathname, parsed.search, ...[...parsed.searchParams.values()]];
  });
  return [
    ...urlParts,
    config.IR_SLACK_BOT_TOKEN,
    config.IR_PAGERDUTY_ROUTING_KEY,
    config.IR_SMTP_PASSWORD,
    config.IR_WEBHOOK_SECRET,
    config.IR_JIRA_API_TOKEN,
  ].filter((value): value is string => typeof value === 'string' && value.length > 1 && value !== '/');
}
