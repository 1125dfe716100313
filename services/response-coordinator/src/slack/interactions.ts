import type { Logger } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../api/auth.js';
import type { IncidentRepository } from '../repository/incident-repository.js';
import type { SlackOperator } from './config.js';
import { decidedMessage, deciderLine, ephemeral } from './message-update.js';
import type { SlackInteractionOutcome, SlackMetrics } from './metrics.js';
import {
  ApprovalButtonValue,
  type BlockActionsPayload,
  BlockActionsPayload as BlockActionsSchema,
  InteractionType,
  SlackActionId,
} from './payload.js';
import { postToResponseUrl, responseUrlAllowed } from './response-url.js';
import type { DecisionSubmitter } from './submitter.js';
import { verifySlackSignature } from './verify-request.js';

/** The path Slack's interactivity request URL points at. */
export const SLACK_INTERACTIONS_PATH = '/slack/interactions';

/** Slack's largest interactivity payloads (a message of 50 blocks) stay well under this. */
const BODY_LIMIT = 256 * 1024;

/** What the endpoint needs. */
export interface SlackInteractionDeps {
  readonly signingSecret: string;
  /** Slack user id → the operator they act as (`IR_SLACK_USER_MAP`). */
  readonly users: Readonly<Record<string, SlackOperator>>;
  /** The only prefix a `response_url` may have (`IR_SLACK_RESPONSE_URL_PREFIX`). */
  readonly responseUrlPrefix: string;
  /** The operator API's decision path: roles, 404/409, two-person rule, publish. */
  readonly submit: DecisionSubmitter;
  /** Reads the step before deciding, to tell whether it needs another approver after this one. */
  readonly repository: Pick<IncidentRepository, 'load'>;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly metrics: SlackMetrics;
}

/** The endpoint, and a way to wait for decisions still being answered in the background. */
export interface SlackInteractions {
  readonly routes: (app: FastifyInstance) => Promise<void>;
  /** Resolves when every decision acknowledged so far has been answered on its response_url. */
  drain(): Promise<void>;
}

/**
 * `POST /slack/interactions`, Slack's interactivity request URL. It sits outside the bearer-token
 * hook (Slack authenticates by signature) in its own plugin scope, whose form parser keeps the raw
 * body the signature covers.
 *
 * Order: signature (401, nothing else read), payload (400), our buttons only (others 200 and
 * ignored), response_url on the allowed prefix (400), then 200 at once: Slack wants an answer within
 * 3 s and ignores the body of a `block_actions` acknowledgement, so every message to the user
 * (the refusal of an unmapped user or a missing role, the decision's outcome) goes to response_url
 * afterwards. A decision is submitted as the mapped operator through the same submitter as the
 * operator API's routes, which checks the role, the step's state and the two-person rule; the message
 * is then replaced without the step's buttons and with the decider, or the refusal is shown to the
 * clicking user only.
 */
export function slackInteractions(deps: SlackInteractionDeps): SlackInteractions {
  const pending = new Set<Promise<void>>();
  const count = (outcome: SlackInteractionOutcome) => deps.metrics.interactions.inc({ outcome });

  async function respond(url: string, message: Record<string, unknown>): Promise<void> {
    if (!(await postToResponseUrl(url, message))) {
      deps.metrics.responseFailures.inc();
      deps.logger.warn('slack_response_failed');
    }
  }

  /** Runs after the acknowledgement: submits the decision and tells Slack how it went. */
  async function decide(
    payload: BlockActionsPayload,
    operator: SlackOperator,
    target: ApprovalButtonValue,
    approve: boolean,
    blockId: string,
  ): Promise<void> {
    const { role, ...identity } = operator;
    const principal: Principal = { identity, role };
    const logger = deps.logger.child({ incidentId: target.incidentId, stepId: target.stepId });
    const facts = { slackUser: payload.user.id, actor: identity, role, kind: approve ? 'approve' : 'reject' };
    try {
      const before = (await deps.repository.load(target.incidentId)).aggregate?.steps.find(
        (step) => step.stepId === target.stepId,
      );
      const outcome = await deps.submit(principal, {
        kind: approve ? 'approve' : 'reject',
        incidentId: target.incidentId,
        stepId: target.stepId,
        reason: `decided in Slack by user ${payload.user.id}`,
      });
      if (outcome.status !== 202) {
        count('refused');
        logger.warn({ ...facts, status: outcome.status, reason: outcome.message }, 'slack_decision_refused');
        await respond(payload.response_url, ephemeral(`Refused: ${outcome.message}. Nothing was changed.`));
        return;
      }
      count('accepted');
      logger.info({ ...facts, messageId: outcome.messageId, type: outcome.type }, 'slack_decision_accepted');
      // Approvals still missing after this one: the step keeps its buttons for the next person.
      const missing = approve && before ? before.approvalsRequired - before.approvals.length - 1 : 0;
      const line = deciderLine(approve ? 'Approved' : 'Rejected', outcome.by, outcome.actor, deps.clock());
      await respond(
        payload.response_url,
        decidedMessage(
          payload,
          blockId,
          missing > 0 ? `${line}; waits for ${missing} more approval by another person` : line,
          missing > 0,
        ),
      );
    } catch (error: unknown) {
      count('failed');
      logger.error({ ...facts, err: error }, 'slack_decision_failed');
      await respond(
        payload.response_url,
        ephemeral('The decision could not be recorded; nothing was changed. Try again, or use irctl.'),
      );
    }
  }

  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  return {
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    routes: async (app) => {
      await app.register(async (scope) => {
        // The raw body, as a string: the signature covers it byte for byte.
        scope.addContentTypeParser(
          'application/x-www-form-urlencoded',
          { parseAs: 'string', bodyLimit: BODY_LIMIT },
          (_request, body, done) => done(null, body),
        );
        scope.post(SLACK_INTERACTIONS_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
          const raw = request.body;
          if (typeof raw !== 'string') {
            count('bad_request');
            return reply.code(415).send({ error: 'unsupported', message: 'expected a form-encoded body' });
          }
          const verified = verifySlackSignature(
            deps.signingSecret,
            raw,
            request.headers,
            deps.clock().getTime(),
          );
          if (!verified.ok) {
            count('bad_signature');
            deps.logger.warn({ reason: verified.reason }, 'slack_request_refused');
            return reply.code(401).send({ error: 'unauthorized', message: 'invalid Slack signature' });
          }
          const bad = (why: string) => {
            count('bad_request');
            deps.logger.warn({ reason: why }, 'slack_request_invalid');
            return reply.code(400).send({ error: 'bad-request', message: why });
          };
          let json: unknown;
          try {
            json = JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
          } catch {
            return bad('the payload field is not JSON');
          }
          const kind = InteractionType.safeParse(json);
          if (!kind.success) return bad('the payload has no type');
          const action =
            kind.data.type === 'block_actions'
              ? (json as { actions?: { action_id?: unknown }[] }).actions?.[0]?.action_id
              : undefined;
          if (action !== SlackActionId.approve && action !== SlackActionId.reject) {
            count('ignored');
            return reply.code(200).send();
          }
          const parsed = BlockActionsSchema.safeParse(json);
          if (!parsed.success) return bad('not a block_actions payload');
          const payload = parsed.data;
          if (!responseUrlAllowed(payload.response_url, deps.responseUrlPrefix)) {
            return bad('response_url is not on the allowed prefix');
          }
          const [clicked] = payload.actions;
          let value: unknown;
          try {
            value = JSON.parse(clicked?.value ?? '');
          } catch {
            return bad('the button value is not JSON');
          }
          const target = ApprovalButtonValue.safeParse(value);
          if (!clicked || !target.success) return bad('the button value names no incident and step');
          const operator = Object.hasOwn(deps.users, payload.user.id)
            ? deps.users[payload.user.id]
            : undefined;
          if (!operator) {
            count('unmapped');
            deps.logger.warn(
              { slackUser: payload.user.id, incidentId: target.data.incidentId, stepId: target.data.stepId },
              'slack_user_unmapped',
            );
            track(
              respond(
                payload.response_url,
                ephemeral(
                  `Refused: your Slack user (${payload.user.id}) is not mapped to an operator identity, so you cannot decide here. Nothing was changed. Ask an admin to add you to IR_SLACK_USER_MAP.`,
                ),
              ),
            );
            return reply.code(200).send();
          }
          track(decide(payload, operator, target.data, action === SlackActionId.approve, clicked.block_id));
          return reply.code(200).send();
        });
      });
    },
  };
}
