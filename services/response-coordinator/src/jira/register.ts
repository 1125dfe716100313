import type { Logger } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ApiDeps } from '../api/routes.js';
import type { JiraEnvConfig } from './config.js';
import { createJiraWebhookMetrics } from './metrics.js';
import { JIRA_WEBHOOK_PATH, jiraWebhook } from './webhook.js';

/**
 * Registers `POST /integrations/jira/webhook` when `IR_JIRA_WEBHOOK_SECRET` is set. It publishes
 * through the operator API's dependencies (the same table, the same signing publisher), so a ticket
 * closed in Jira is applied by the queue handler like a resolve from irctl.
 */
export async function registerJiraWebhook(
  app: FastifyInstance,
  config: JiraEnvConfig,
  api: ApiDeps,
  tools: { readonly registry: Registry; readonly logger: Logger },
): Promise<void> {
  const secret = config.IR_JIRA_WEBHOOK_SECRET;
  if (!secret || !config.IR_JIRA_BASE_URL) return;
  const baseUrl = config.IR_JIRA_BASE_URL.replace(/\/+$/, '');
  await jiraWebhook({
    secret,
    baseUrl,
    resolutions: config.IR_JIRA_RESOLUTION_DISPOSITIONS,
    repository: api.repository,
    publisher: api.publisher,
    producer: 'response-coordinator-jira',
    clock: api.clock,
    logger: tools.logger.child({ component: 'jira' }),
    metrics: createJiraWebhookMetrics(tools.registry),
  })(app);
  tools.logger.info(
    { path: JIRA_WEBHOOK_PATH, site: baseUrl, resolutions: config.IR_JIRA_RESOLUTION_DISPOSITIONS },
    'jira_webhook_enabled',
  );
}
