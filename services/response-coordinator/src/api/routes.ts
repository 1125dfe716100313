import { buildMessage, type Message, OperatorDecision } from '@ir/contracts';
import type { Logger, Publisher } from '@ir/runtime';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { IncidentStatus, type IncidentRecord } from '../model.js';
import type { IncidentRepository, IncidentSummary } from '../repository/incident-repository.js';
import type { ReportVerifier } from '../report/evidence-verification.js';
import type { ReportMetrics } from '../report/report-metrics.js';
import { registerReportRoute } from '../report/report-route.js';
import { bearerAuth } from './auth.js';

/** What the API needs. */
export interface ApiDeps {
  readonly repository: IncidentRepository;
  /** Operator decisions go through the coordinator queue, the single path that changes incidents. */
  readonly publisher: Publisher<'coordinator'>;
  readonly token: string;
  readonly producer: string;
  readonly clock: () => Date;
  readonly newId?: () => string;
  readonly logger: Logger;
  /** Verifies evidence for `GET /incidents/:id/report` ("not configured" without a bucket). */
  readonly verifyReport: ReportVerifier;
  readonly reportMetrics: ReportMetrics;
}

const ListQuery = z.object({
  status: IncidentStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const IncidentParams = z.object({ id: z.string().min(1).max(200) });
const StepParams = IncidentParams.extend({ step: z.string().min(1).max(300) });

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: 'invalid-request',
    issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}

const summarise = ({ incident, version }: IncidentSummary) => ({ ...incident, version });

/**
 * The operator API under `/incidents`, behind bearer-token auth (`/metrics` and health stay open).
 * Reads come from the table; decisions are checked against the current state (404, 409) and then
 * sent to the coordinator queue as `approval.*`, `rollback.requested` or `incident.resolve-requested`,
 * answered 202 with the message id: the queue handler applies them with the same conditional writes
 * as every other event.
 */
export function apiRoutes(deps: ApiDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      scope.addHook('onRequest', bearerAuth(deps.token));

      scope.get('/incidents', async (request, reply) => {
        const query = ListQuery.safeParse(request.query);
        if (!query.success) return invalid(reply, query.error);
        const statuses = query.data.status ? [query.data.status] : IncidentStatus.options;
        const lists = await Promise.all(
          statuses.map((status) => deps.repository.list(status, query.data.limit)),
        );
        const incidents = lists
          .flat()
          .sort((a, b) => b.incident.openedAt.localeCompare(a.incident.openedAt))
          .slice(0, query.data.limit)
          .map(summarise);
        return reply.send({ incidents });
      });

      scope.get('/incidents/:id', async (request, reply) => {
        const params = IncidentParams.safeParse(request.params);
        if (!params.success) return invalid(reply, params.error);
        const items = await deps.repository.load(params.data.id);
        if (!items.aggregate)
          return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
        const { incident, version, steps } = items.aggregate;
        return reply.send({
          incident: { ...incident, version },
          steps,
          timeline: [...items.timeline].sort((a, b) => a.at.localeCompare(b.at)),
        });
      });

      registerReportRoute(scope, deps);

      const decision = (
        path: string,
        build: (
          incident: IncidentRecord,
          params: z.infer<typeof StepParams>,
          body: OperatorDecision,
        ) => Message,
        conflict: (
          items: Awaited<ReturnType<IncidentRepository['load']>>,
          stepId: string | undefined,
        ) => string | undefined,
      ) => {
        scope.post(path, async (request, reply) => {
          const params = (path.includes(':step') ? StepParams : IncidentParams).safeParse(request.params);
          if (!params.success) return invalid(reply, params.error);
          const body = OperatorDecision.safeParse(request.body ?? {});
          if (!body.success) return invalid(reply, body.error);
          const items = await deps.repository.load(params.data.id);
          if (!items.aggregate)
            return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
          const stepId = (params.data as { step?: string }).step;
          if (stepId !== undefined && !items.aggregate.steps.some((step) => step.stepId === stepId)) {
            return reply.code(404).send({ error: 'not-found', message: `incident has no step ${stepId}` });
          }
          const problem = conflict(items, stepId);
          if (problem) return reply.code(409).send({ error: 'conflict', message: problem });
          const message = build(
            items.aggregate.incident,
            { id: params.data.id, step: stepId ?? '' },
            body.data,
          );
          await deps.publisher.publish('coordinator', [message]);
          deps.logger.info(
            {
              incidentId: message.incidentId,
              correlationId: message.correlationId,
              type: message.type,
              by: body.data.by,
              stepId,
            },
            'operator_decision_accepted',
          );
          return reply.code(202).send({ accepted: true, messageId: message.id, type: message.type });
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
      const awaiting = (
        items: Awaited<ReturnType<IncidentRepository['load']>>,
        stepId: string | undefined,
      ) => {
        const step = items.aggregate?.steps.find((s) => s.stepId === stepId);
        return step?.status === 'awaiting-approval'
          ? undefined
          : `step ${stepId} is ${step?.status}, not awaiting approval`;
      };

      decision(
        '/incidents/:id/steps/:step/approve',
        (incident, params, body) =>
          buildMessage(
            'approval.granted',
            { ...envelope(incident), payload: { ...body, stepId: params.step } },
            now,
          ),
        awaiting,
      );
      decision(
        '/incidents/:id/steps/:step/reject',
        (incident, params, body) =>
          buildMessage(
            'approval.rejected',
            { ...envelope(incident), payload: { ...body, stepId: params.step } },
            now,
          ),
        awaiting,
      );
      decision(
        '/incidents/:id/rollback',
        (incident, _params, body) =>
          buildMessage('rollback.requested', { ...envelope(incident), payload: body }, now),
        (items) =>
          items.aggregate?.incident.rollbackRequestedAt ? 'a rollback was already requested' : undefined,
      );
      decision(
        '/incidents/:id/resolve',
        (incident, _params, body) =>
          buildMessage('incident.resolve-requested', { ...envelope(incident), payload: body }, now),
        (items) =>
          items.aggregate?.incident.status === 'resolved' ? 'the incident is already resolved' : undefined,
      );
    });
  };
}
