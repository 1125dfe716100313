import type { Logger } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createDecisionSubmitter } from '../api/decisions.js';
import type { ApiDeps } from '../api/routes.js';
import type { SlackEnvConfig } from './config.js';
import { slackInteractions } from './interactions.js';
import { createSlackMetrics } from './metrics.js';

/** Slack approvals as the service wires them: routes to register, and a drain for shutdown. */
export interface SlackApprovals {
  readonly enabled: boolean;
  /** Registers `POST /slack/interactions` (when enabled), deciding through the operator API's submitter. */
  register(app: FastifyInstance, api: ApiDeps): Promise<void>;
  /** Waits for decisions acknowledged to Slack but not yet answered on their response_url. */
  drain(): Promise<void>;
}

/**
 * Slack approvals, on when `IR_SLACK_SIGNING_SECRET` is set. Decisions go through
 * `createDecisionSubmitter` over the operator API's own dependencies (the same table, the same signing
 * publisher), so a Slack click and an `irctl approve` are checked and recorded alike.
 */
export function slackApprovals(
  config: SlackEnvConfig,
  tools: { readonly registry: Registry; readonly logger: Logger; readonly clock: () => Date },
): SlackApprovals {
  const signingSecret = config.IR_SLACK_SIGNING_SECRET;
  let drain = async () => {};
  return {
    enabled: signingSecret !== undefined,
    async register(app, api) {
      if (!signingSecret) return;
      const interactions = slackInteractions({
        signingSecret,
        users: config.IR_SLACK_USER_MAP,
        responseUrlPrefix: config.IR_SLACK_RESPONSE_URL_PREFIX,
        submit: createDecisionSubmitter(api),
        repository: api.repository,
        clock: tools.clock,
        logger: tools.logger.child({ component: 'slack' }),
        metrics: createSlackMetrics(tools.registry),
      });
      drain = interactions.drain;
      await interactions.routes(app);
      tools.logger.info(
        { path: '/slack/interactions', mappedUsers: Object.keys(config.IR_SLACK_USER_MAP).length },
        'slack_interactions_enabled',
      );
    },
    drain: () => drain(),
  };
}
