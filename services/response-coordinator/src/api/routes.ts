import { IncidentStatus, operatorApi } from '@ir/contracts';
import type { Logger, Publisher } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import type { IncidentRepository, IncidentSummary } from '../repository/incident-repository.js';
import type { ReportVerifier } from '../report/evidence-verification.js';
import type { ReportMetrics } from '../report/report-metrics.js';
import { registerReportRoute } from '../report/report-route.js';
import { type Authenticator, authorize, principalOf } from './auth.js';
import { createDecisionSubmitter, type DecisionKind } from './decisions.js';
import { useZodSchemas } from './zod-schemas.js';

/** What the API needs. */
export interface ApiDeps {
  readonly repository: IncidentRepository;
  /** Operator decisions go through the coordinator queue, the single path that changes incidents. */
  readonly publisher: Publisher<'coordinator'>;
  /** Verifies bearer tokens (OIDC, or the local-dev static token); roles are checked per route. */
  readonly authenticator: Authenticator;
  readonly producer: string;
  readonly clock: () => Date;
  readonly newId?: () => string;
  readonly logger: Logger;
  /** Verifies evidence for `GET /incidents/:id/report` ("not configured" without a bucket). */
  readonly verifyReport: ReportVerifier;
  readonly reportMetrics: ReportMetrics;
}

const summarise = ({ incident, version }: IncidentSummary) => ({ ...incident, version });

/**
 * The operator API under `/incidents`, behind bearer-token auth and the role each route declares in
 * the contract (`/metrics` and health stay open).
 * Routes, request and response bodies are the contract's `operatorApi`: requests are validated and
 * answers serialised through its zod schemas. Reads come from the table; decisions go through
 * {@link createDecisionSubmitter} (the same checks Slack's approvals get): checked against the
 * current state (404, 409) and the two-person rule (403), then sent to the coordinator queue as
 * `approval.*`, `rollback.requested` or `incident.resolve-requested`, answered 202 with the message
 * id: the queue handler applies them with the same conditional writes as every other event.
 */
export function apiRoutes(deps: ApiDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (plain) => {
      plain.addHook('onRequest', authorize(deps.authenticator, deps.logger));
      const scope = useZodSchemas(plain);

      const { listIncidents, getIncident } = operatorApi;
      scope.get(listIncidents.url, { schema: listIncidents.schema }, async (request, reply) => {
        const { status, limit } = request.query;
        const statuses = status ? [status] : IncidentStatus.options;
        const lists = await Promise.all(statuses.map((each) => deps.repository.list(each, limit)));
        const incidents = lists
          .flat()
          .sort((a, b) => b.incident.openedAt.localeCompare(a.incident.openedAt))
          .slice(0, limit)
          .map(summarise);
        return reply.send({ incidents });
      });

      scope.get(getIncident.url, { schema: getIncident.schema }, async (request, reply) => {
        const items = await deps.repository.load(request.params.id);
        if (!items.aggregate)
          return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
        const { incident, version, steps } = items.aggregate;
        return reply.send({
          incident: { ...incident, version },
          steps: [...steps],
          timeline: [...items.timeline].sort((a, b) => a.at.localeCompare(b.at)),
        });
      });

      registerReportRoute(scope, deps);

      const submit = createDecisionSubmitter(deps);
      const decisionRoutes = [
        [operatorApi.approveStep, 'approve'],
        [operatorApi.rejectStep, 'reject'],
        [operatorApi.rollback, 'rollback'],
        [operatorApi.resolve, 'resolve'],
      ] as const satisfies readonly (readonly [unknown, DecisionKind])[];
      for (const [route, kind] of decisionRoutes) {
        scope.post(route.url, { schema: route.schema }, async (request, reply) => {
          const params: { id: string; step?: string } = request.params;
          const outcome = await submit(principalOf(request), {
            kind,
            incidentId: params.id,
            ...(params.step !== undefined ? { stepId: params.step } : {}),
            ...(request.body.reason ? { reason: request.body.reason } : {}),
            ...('disposition' in request.body
              ? { disposition: request.body.disposition, category: request.body.category }
              : {}),
          });
          if (outcome.status !== 202) {
            return reply.code(outcome.status).send({ error: outcome.error, message: outcome.message });
          }
          return reply.code(202).send({
            accepted: true,
            messageId: outcome.messageId,
            type: outcome.type,
            actor: outcome.actor,
            by: outcome.by,
          });
        });
      }
    });
  };
}
