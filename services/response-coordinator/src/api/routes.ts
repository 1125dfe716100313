import {
  buildMessage,
  type IncidentRecord,
  IncidentStatus,
  type DecisionMessageType,
  type DecisionRequest,
  type MessageOf,
  type OperatorDecision,
  operatorApi,
} from '@ir/contracts';
import type { Logger, Publisher } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import type { IncidentRepository, IncidentSummary } from '../repository/incident-repository.js';
import type { ReportVerifier } from '../report/evidence-verification.js';
import type { ReportMetrics } from '../report/report-metrics.js';
import { registerReportRoute } from '../report/report-route.js';
import { stalledRollbacks } from '../state/rollback-steps.js';
import { actorLabel, type Authenticator, authorize, type Principal, principalOf } from './auth.js';
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

type Items = Awaited<ReturnType<IncidentRepository['load']>>;

/**
 * The payload every decision message carries: the verified identity as `actor`, `by` its label, and
 * the body's reason. The body's own `by` (older irctl sent `$USER`) is ignored: a typed name proves
 * nothing (TRAPS 23).
 */
function decisionPayload(principal: Principal, body: DecisionRequest): OperatorDecision {
  return {
    by: actorLabel(principal.identity),
    actor: principal.identity,
    ...(body.reason ? { reason: body.reason } : {}),
  };
}

/** A decision route of the contract: its URL and schemas, and how to turn the decision into a message. */
interface DecisionRoute {
  readonly route:
    | typeof operatorApi.approveStep
    | typeof operatorApi.rejectStep
    | typeof operatorApi.rollback
    | typeof operatorApi.resolve;
  readonly build: (
    incident: IncidentRecord,
    stepId: string,
    body: OperatorDecision,
  ) => MessageOf<DecisionMessageType>;
  /** Why the decision no longer applies (409), or undefined. */
  readonly conflict: (items: Items, stepId: string | undefined) => string | undefined;
}

const summarise = ({ incident, version }: IncidentSummary) => ({ ...incident, version });

/**
 * The operator API under `/incidents`, behind bearer-token auth and the role each route declares in
 * the contract (`/metrics` and health stay open).
 * Routes, request and response bodies are the contract's `operatorApi`: requests are validated and
 * answers serialised through its zod schemas. Reads come from the table; decisions are checked
 * against the current state (404, 409) and then sent to the coordinator queue as `approval.*`,
 * `rollback.requested` or `incident.resolve-requested`, answered 202 with the message id: the queue
 * handler applies them with the same conditional writes as every other event.
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

      const decision = ({ route, build, conflict }: DecisionRoute) => {
        scope.post(route.url, { schema: route.schema }, async (request, reply) => {
          const params: { id: string; step?: string } = request.params;
          const items = await deps.repository.load(params.id);
          if (!items.aggregate)
            return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
          const stepId = params.step;
          if (stepId !== undefined && !items.aggregate.steps.some((step) => step.stepId === stepId)) {
            return reply.code(404).send({ error: 'not-found', message: `incident has no step ${stepId}` });
          }
          const problem = conflict(items, stepId);
          if (problem) return reply.code(409).send({ error: 'conflict', message: problem });
          const principal = principalOf(request);
          const message = build(
            items.aggregate.incident,
            stepId ?? '',
            decisionPayload(principal, request.body),
          );
          await deps.publisher.publish('coordinator', [message]);
          deps.logger.info(
            {
              incidentId: message.incidentId,
              correlationId: message.correlationId,
              type: message.type,
              actor: principal.identity,
              role: principal.role,
              stepId,
            },
            'operator_decision_accepted',
          );
          return reply.code(202).send({
            accepted: true,
            messageId: message.id,
            type: message.type,
            actor: principal.identity,
            by: message.payload.by,
          });
        });
      };

      const envelope = (incident: IncidentRecord) => ({
        incidentId: incident.incidentId,
        correlationId: incident.correlationId,
        causationId: null,
        producer: deps.producer,
        dryRun: incident.dryRun,
      });
      const now = { now: deps.clock, ...(deps.newId ? { newId: deps.newId } : {}) };
      const awaiting = (items: Items, stepId: string | undefined) => {
        const step = items.aggregate?.steps.find((s) => s.stepId === stepId);
        return step?.status === 'awaiting-approval'
          ? undefined
          : `step ${stepId} is ${step?.status}, not awaiting approval`;
      };

      decision({
        route: operatorApi.approveStep,
        build: (incident, stepId, body) =>
          buildMessage('approval.granted', { ...envelope(incident), payload: { ...body, stepId } }, now),
        conflict: awaiting,
      });
      decision({
        route: operatorApi.rejectStep,
        build: (incident, stepId, body) =>
          buildMessage('approval.rejected', { ...envelope(incident), payload: { ...body, stepId } }, now),
        conflict: awaiting,
      });
      decision({
        route: operatorApi.rollback,
        build: (incident, _stepId, body) =>
          buildMessage('rollback.requested', { ...envelope(incident), payload: body }, now),
        // A second request retries a rollback that stalled on a failed step (operator-verified rollbacks).
        conflict: (items) => {
          const aggregate = items.aggregate;
          if (!aggregate?.incident.rollbackRequestedAt) return undefined;
          return aggregate.incident.status !== 'resolved' && stalledRollbacks(aggregate.steps).length > 0
            ? undefined
            : 'a rollback was already requested, and none of its steps failed: only a failed rollback is retried';
        },
      });
      decision({
        route: operatorApi.resolve,
        build: (incident, _stepId, body) =>
          buildMessage('incident.resolve-requested', { ...envelope(incident), payload: body }, now),
        conflict: (items) =>
          items.aggregate?.incident.status === 'resolved' ? 'the incident is already resolved' : undefined,
      });
    });
  };
}
