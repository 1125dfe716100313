import {
  buildMessage,
  type Disposition,
  type IncidentRecord,
  type Message,
  type OperatorIdentity,
} from '@ir/contracts';
import type { Logger, Publisher } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import { deterministicUuid } from '../ids.js';
import type { IncidentAggregate } from '../model.js';
import type { IncidentRepository } from '../repository/incident-repository.js';
import type { JiraWebhookMetrics, JiraWebhookOutcome } from './metrics.js';
import { categoryOf, changesClosing, dispositionOf, incidentOf, JiraWebhookBody } from './payload.js';
import { verifyJiraSignature } from './verify-signature.js';

/** The path the Jira admin webhook's URL points at. */
export const JIRA_WEBHOOK_PATH = '/integrations/jira/webhook';

/** Jira's issue bodies (with every field of the issue) stay well under this. */
const BODY_LIMIT = 1024 * 1024;

/** What the endpoint needs. */
export interface JiraWebhookDeps {
  readonly secret: string;
  /** The Jira site, without a trailing slash: the issuer of the deciders it names. */
  readonly baseUrl: string;
  /** Jira resolution name (lower case) → disposition (`IR_JIRA_RESOLUTION_DISPOSITIONS`). */
  readonly resolutions: Readonly<Record<string, Disposition>>;
  readonly repository: Pick<IncidentRepository, 'load'>;
  /** The operator API's signing publisher: what it publishes is signed as a decision (TRAPS 23). */
  readonly publisher: Publisher<'coordinator'>;
  readonly producer: string;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly metrics: JiraWebhookMetrics;
}

/** The notify steps' answers name the incident's issue; once one did, only that issue speaks for it. */
function ticketsOf(aggregate: IncidentAggregate): Set<string> {
  return new Set(
    aggregate.steps.flatMap((step) => {
      const key = step.action === 'notify.incident' ? step.result?.ticketKey : undefined;
      return typeof key === 'string' ? [key] : [];
    }),
  );
}

/**
 * `POST /integrations/jira/webhook`: a Jira admin webhook for `jira:issue_updated`, so that closing
 * an incident's ticket in Jira resolves the incident. It sits outside the bearer-token hook (Jira
 * authenticates with the webhook's shared secret) in its own plugin scope, whose JSON parser keeps
 * the raw body the signature covers.
 *
 * Jira is not an identity provider: the Jira user who closed the ticket is trusted as the decider
 * only because the request carries the shared secret, and is recorded as such (actor issuer: the
 * Jira site, subject: the Atlassian account id; disposition source `jira`).
 *
 * Order: signature (401, nothing read, nothing published), body (400), then only an update of the
 * status, resolution or labels of an issue in the `done` status category, labelled with exactly one
 * incident of this coordinator (and, once a notify step named the incident's issue, that issue),
 * and not yet resolved; anything else is answered 200 and ignored. The disposition comes from the
 * issue's resolution through `IR_JIRA_RESOLUTION_DISPOSITIONS`, the category from an
 * `ir-category-<category>` label. With both, an `incident.resolve-requested` is published (202);
 * without either, an `incident.ticket-closed`, which the coordinator records on the timeline while
 * asking people for the disposition (202). Both are signed as the operator API signs decisions; their
 * id derives from `X-Atlassian-Webhook-Identifier`, so Jira's retries of one delivery change nothing
 * more. A failure to read the incident or publish answers 500, and Jira retries.
 */
export function jiraWebhook(deps: JiraWebhookDeps) {
  const count = (outcome: JiraWebhookOutcome) => deps.metrics.requests.inc({ outcome });
  const sitePrefix = `${deps.baseUrl}/`;

  async function handle(
    body: JiraWebhookBody,
    deliveryId: string | undefined,
    logger: Logger,
  ): Promise<{ status: number; outcome: JiraWebhookOutcome; message: string }> {
    const ignore = (why: string) => {
      logger.info({ reason: why }, 'jira_webhook_ignored');
      return { status: 200, outcome: 'ignored' as const, message: why };
    };
    const { issue, user } = body;
    if (body.webhookEvent !== 'jira:issue_updated' || !issue) return ignore('not an issue update');
    if (!issue.self.startsWith(sitePrefix)) return ignore('an issue of another Jira site');
    if (issue.fields.status.statusCategory.key !== 'done') return ignore('the issue is not done');
    if (!changesClosing(body)) return ignore('neither status, resolution nor labels changed');
    const incidentId = incidentOf(issue.fields.labels);
    if (!incidentId) return ignore('the issue is labelled with no single incident');
    const { aggregate } = await deps.repository.load(incidentId);
    if (!aggregate) return ignore('no such incident');
    if (aggregate.incident.status === 'resolved') return ignore('the incident is already resolved');
    const tickets = ticketsOf(aggregate);
    if (tickets.size > 0 && !tickets.has(issue.key)) return ignore("not the incident's ticket");
    if (!user) {
      return { status: 400, outcome: 'bad_request', message: 'the update names no Jira user who closed it' };
    }

    const actor: OperatorIdentity = {
      issuer: deps.baseUrl,
      subject: user.accountId,
      ...(user.displayName ? { name: user.displayName } : {}),
    };
    const by = `${user.displayName ?? user.accountId} (Jira)`;
    const status = issue.fields.status.name;
    const resolution = issue.fields.resolution?.name;
    const disposition = dispositionOf(resolution, deps.resolutions);
    const category = categoryOf(issue.fields.labels);
    const reason = `${issue.key} closed in Jira (${status}${resolution ? `, resolution ${resolution}` : ''})`;
    const envelope = envelopeOf(aggregate.incident);
    const now = nowOf(deliveryId);
    const message: Message =
      disposition && category
        ? buildMessage(
            'incident.resolve-requested',
            { ...envelope, payload: { by, actor, reason, disposition, category, source: 'jira' } },
            now,
          )
        : buildMessage(
            'incident.ticket-closed',
            {
              ...envelope,
              payload: {
                by,
                actor,
                reason,
                ticketKey: issue.key,
                status,
                ...(resolution ? { resolution } : {}),
                missing: [
                  ...(disposition ? [] : (['disposition'] as const)),
                  ...(category ? [] : (['category'] as const)),
                ],
              },
            },
            now,
          );
    await deps.publisher.publish('coordinator', [message]);
    const outcome = message.type === 'incident.resolve-requested' ? 'resolved' : 'recorded';
    logger.info(
      {
        incidentId,
        correlationId: message.correlationId,
        type: message.type,
        messageId: message.id,
        ticketKey: issue.key,
        actor,
        disposition,
        category,
      },
      'jira_ticket_closed',
    );
    return { status: 202, outcome, message: message.type };
  }

  const envelopeOf = (incident: IncidentRecord) => ({
    incidentId: incident.incidentId,
    correlationId: incident.correlationId,
    causationId: null,
    producer: deps.producer,
    dryRun: incident.dryRun,
  });
  /** The message id derives from Jira's delivery id: a redelivery is the same message. */
  const nowOf = (deliveryId: string | undefined) => {
    const id = deliveryId ? deterministicUuid('jira-webhook', deliveryId) : undefined;
    return { now: deps.clock, ...(id ? { newId: () => id } : {}) };
  };

  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      // The raw body, as a string: the signature covers it byte for byte.
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: BODY_LIMIT },
        (_request, body, done) => done(null, body),
      );
      scope.post(JIRA_WEBHOOK_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
        const raw = request.body;
        const header = request.headers['x-atlassian-webhook-identifier'];
        const deliveryId = typeof header === 'string' && header.length <= 255 ? header : undefined;
        const logger = deps.logger.child({ jiraDelivery: deliveryId });
        if (typeof raw !== 'string') {
          count('bad_request');
          return reply.code(415).send({ error: 'unsupported', message: 'expected a JSON body' });
        }
        const verified = verifyJiraSignature(deps.secret, raw, request.headers);
        if (!verified.ok) {
          count('bad_signature');
          logger.warn({ reason: verified.reason }, 'jira_webhook_refused');
          return reply.code(401).send({ error: 'unauthorized', message: 'invalid Jira webhook signature' });
        }
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const parsed = JiraWebhookBody.safeParse(json);
        if (!parsed.success) {
          count('bad_request');
          logger.warn({ reason: 'not a Jira webhook body' }, 'jira_webhook_invalid');
          return reply.code(400).send({ error: 'bad-request', message: 'not a Jira webhook body' });
        }
        try {
          const answer = await handle(parsed.data, deliveryId, logger);
          count(answer.outcome);
          if (answer.status === 400) logger.warn({ reason: answer.message }, 'jira_webhook_invalid');
          return reply
            .code(answer.status)
            .send(
              answer.status === 400
                ? { error: 'bad-request', message: answer.message }
                : { accepted: answer.status === 202, message: answer.message },
            );
        } catch (error: unknown) {
          count('failed');
          logger.error({ err: error }, 'jira_webhook_failed');
          return reply.code(500).send({ error: 'internal', message: 'the closing could not be recorded' });
        }
      });
    });
  };
}
