import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeployConfigError, parseDeployConfig } from '../src/config.js';
import { buildTestApp, containerOf } from './build.js';

const JIRA = {
  jiraWebhookSecretName: 'ir/jira-webhook-secret',
  jiraResolutionDispositions: "Done=true-positive,Won't Do=false-positive",
  notifierEnvironment: JSON.stringify({ IR_JIRA_BASE_URL: 'https://example.atlassian.net' }),
};

describe('IncidentResponseStack Jira webhook', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestApp(JIRA).systemTemplate;
  }, 180_000);

  it('gives the coordinator the webhook secret from Secrets Manager, the Jira site and the resolution map', () => {
    // Prepare
    const coordinator = containerOf(template, 'response-coordinator');
    const notifier = containerOf(template, 'notifier');
    // Act
    const secret = coordinator.Secrets?.find((each) => each.Name === 'IR_JIRA_WEBHOOK_SECRET')?.ValueFrom;
    // Assess: a reference to the secret, never its value in the environment
    expect(JSON.stringify(secret)).toContain(':secret:ir/jira-webhook-secret');
    expect(coordinator.Environment.map((variable) => variable.Name)).not.toContain('IR_JIRA_WEBHOOK_SECRET');
    expect(coordinator.Environment).toContainEqual({
      Name: 'IR_JIRA_BASE_URL',
      Value: 'https://example.atlassian.net',
    });
    expect(coordinator.Environment).toContainEqual({
      Name: 'IR_JIRA_RESOLUTION_DISPOSITIONS',
      Value: "Done=true-positive,Won't Do=false-positive",
    });
    expect(notifier.Secrets?.find((each) => each.Name === 'IR_JIRA_WEBHOOK_SECRET')).toBeUndefined();
  });

  it('refuses the secret without the Jira site, and the resolution map without the secret', () => {
    // Act / Assess
    expect(() => parseDeployConfig({ jiraWebhookSecretName: 'ir/jira-webhook-secret' })).toThrow(
      DeployConfigError,
    );
    expect(() => parseDeployConfig({ jiraWebhookSecretName: 'ir/jira-webhook-secret' })).toThrow(
      /jiraWebhookSecretName.*IR_JIRA_BASE_URL/,
    );
    expect(() => parseDeployConfig({ jiraResolutionDispositions: 'Done=true-positive' })).toThrow(
      /jiraResolutionDispositions/,
    );
  });
});
