import { redactConfig } from '@ir/runtime';
import { describe, expect, it } from 'vitest';
import { configuredChannels, loadConfig, secretValues } from '../../src/config.js';
import { createScrubber } from '../../src/delivery/scrub.js';

const minimal = { IR_NOTIFY_ROUTES: '/etc/ir/routes.yaml' };

describe('loadConfig', () => {
  it('applies defaults and configures only channels whose variables are all set', () => {
    // Prepare / Act
    const config = loadConfig({
      ...minimal,
      IR_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
    });
    // Assess
    expect(config.IR_NOTIFY_MAX_ATTEMPTS).toBe(4);
    expect(config.IR_SMTP_REQUIRE_TLS).toBe(true);
    expect(config.IR_PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(configuredChannels(config)).toEqual(['slack']);
  });

  it('names every missing variable of a channel set up halfway', () => {
    // Prepare / Act / Assess
    expect(() => loadConfig({ ...minimal, IR_JIRA_BASE_URL: 'https://example.atlassian.net' })).toThrow(
      /IR_JIRA_EMAIL: required to use the jira channel.*IR_JIRA_API_TOKEN.*IR_JIRA_PROJECT_KEY/,
    );
    expect(() => loadConfig({ ...minimal, IR_SMTP_USER: 'mailer' })).toThrow(
      /IR_SMTP_PASSWORD: required with IR_SMTP_USER/,
    );
  });

  it('configures Slack with a bot alone, and names the missing half of a bot set up halfway', () => {
    // Prepare
    const bot = { IR_SLACK_BOT_TOKEN: 'xoxb-1-abc', IR_SLACK_APPROVAL_CHANNEL: 'C0123456' };
    // Act
    const config = loadConfig({ ...minimal, ...bot });
    // Assess
    expect(configuredChannels(config)).toEqual(['slack']);
    expect(config.IR_SLACK_API_URL).toBe('https://slack.com/api');
    expect(() => loadConfig({ ...minimal, IR_SLACK_BOT_TOKEN: 'xoxb-1-abc' })).toThrow(
      /IR_SLACK_APPROVAL_CHANNEL: required to use the slack channel/,
    );
    expect(() => loadConfig({ ...minimal, ...bot, IR_SLACK_BOT_TOKEN: 'xoxp-user-token' })).toThrow(
      /IR_SLACK_BOT_TOKEN: a Slack bot token/,
    );
  });

  it('names the routing variable when it is missing, and bad values', () => {
    // Prepare / Act / Assess
    expect(() => loadConfig({})).toThrow(/IR_NOTIFY_ROUTES/);
    expect(() => loadConfig({ ...minimal, IR_EMAIL_TO: 'soc@example.com, not-an-address' })).toThrow(
      /IR_EMAIL_TO/,
    );
    expect(() => loadConfig({ ...minimal, IR_WEBHOOK_SECRET: 'short' })).toThrow(/IR_WEBHOOK_SECRET/);
  });

  it('reads the step worker settings and refuses a handler time-out that leaves no delivery budget', () => {
    // Prepare / Act
    const config = loadConfig({ ...minimal, IR_STEP_MAX_ATTEMPTS: '3' });
    // Assess
    expect(config.IR_STEP_MAX_ATTEMPTS).toBe(3);
    expect(() => loadConfig({ ...minimal, IR_HANDLER_TIMEOUT_SECONDS: '3' })).toThrow(
      /IR_HANDLER_TIMEOUT_SECONDS \(3\) must be longer than the 3 s kept to publish the answer/,
    );
  });

  it('keeps every secret out of the logged config and scrubs it, URL path included, from texts', () => {
    // Prepare
    const config = loadConfig({
      ...minimal,
      IR_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secretPart',
      IR_WEBHOOK_URL: 'https://receiver.example.com/hook?token=queryToken123',
      IR_WEBHOOK_SECRET: 'a-signing-secret-of-length',
      IR_PAGERDUTY_ROUTING_KEY: 'routingKey123456',
      IR_JIRA_BASE_URL: 'https://example.atlassian.net',
      IR_JIRA_EMAIL: 'bot@example.com',
      IR_JIRA_API_TOKEN: 'jiraToken123456',
      IR_JIRA_PROJECT_KEY: 'SEC',
      IR_SLACK_BOT_TOKEN: 'xoxb-42-botTokenSecret',
      IR_SLACK_APPROVAL_CHANNEL: 'C0123456',
    });
    const scrub = createScrubber(secretValues(config));
    // Act
    const logged = JSON.stringify(redactConfig(config));
    const echoed = scrub(
      '404 /services/T0/B0/secretPart and ?token=queryToken123 and routingKey123456 xoxb-42-botTokenSecret',
    );
    // Assess
    for (const secret of [
      'secretPart',
      'queryToken123',
      'a-signing-secret',
      'routingKey123456',
      'jiraToken123456',
      'botTokenSecret',
    ]) {
      expect(logged).not.toContain(secret);
      expect(echoed).not.toContain(secret);
    }
  });
});
