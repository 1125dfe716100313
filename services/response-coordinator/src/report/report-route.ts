import { buildReport, renderMarkdown } from '@ir/reporting';
import type { Logger } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { IncidentRepository } from '../repository/incident-repository.js';
import type { ReportVerifier } from './evidence-verification.js';
import type { ReportMetrics } from './report-metrics.js';

/** What the report route needs. */
export interface ReportRouteDeps {
  readonly repository: IncidentRepository;
  readonly verifyReport: ReportVerifier;
  readonly producer: string;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly reportMetrics: ReportMetrics;
}

const Params = z.object({ id: z.string().min(1).max(200) });
const Query = z.object({ format: z.enum(['json', 'markdown']).default('json') });

/**
 * `GET /incidents/:id/report?format=json|markdown` (default json), registered in the API's
 * authenticated scope: the incident report built now from the table, with the evidence verifier's
 * result when the coordinator has the evidence bucket. Read-only: nothing is stored or sent.
 */
export function registerReportRoute(scope: FastifyInstance, deps: ReportRouteDeps): void {
  scope.get('/incidents/:id/report', async (request, reply) => {
    const params = Params.safeParse(request.params);
    const query = Query.safeParse(request.query);
    if (!params.success || !query.success) {
      const issues = [...(params.error?.issues ?? []), ...(query.error?.issues ?? [])];
      return reply.code(400).send({
        error: 'invalid-request',
        issues: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
    }
    const items = await deps.repository.load(params.data.id);
    if (!items.aggregate) return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
    const { incident, steps } = items.aggregate;
    const logger = deps.logger.child({
      incidentId: incident.incidentId,
      correlationId: incident.correlationId,
    });
    const report = buildReport(
      { incident, steps, timeline: items.timeline },
      {
        generatedAt: deps.clock().toISOString(),
        generatedBy: deps.producer,
        verification: await deps.verifyReport(incident.incidentId, logger),
      },
    );
    logger.info({ format: query.data.format, verification: report.verification.status }, 'report_served');
    deps.reportMetrics.reportsServed.inc({
      format: query.data.format,
      verification: report.verification.status,
    });
    if (query.data.format === 'markdown') {
      return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(report));
    }
    return reply.send(report);
  });
}
