import { operatorApi } from '@ir/contracts';
import { buildReport, renderMarkdown } from '@ir/reporting';
import type { Logger } from '@ir/runtime';
import type { FastifyReply } from 'fastify';
import type { ZodScope } from '../api/zod-schemas.js';
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

/**
 * `GET /incidents/:id/report?format=json|markdown` (default json), registered in the API's
 * authenticated scope: the incident report built now from the table, with the evidence verifier's
 * result when the coordinator has the evidence bucket. Read-only: nothing is stored or sent. The JSON
 * answer is serialised through the contract's `IncidentReport`; Markdown is text and is sent as is.
 */
export function registerReportRoute(scope: ZodScope, deps: ReportRouteDeps): void {
  const { getReport } = operatorApi;
  scope.get(getReport.url, { schema: getReport.schema }, async (request, reply) => {
    const items = await deps.repository.load(request.params.id);
    if (!items.aggregate) return reply.code(404).send({ error: 'not-found', message: 'no such incident' });
    const { incident, steps } = items.aggregate;
    const { format } = request.query;
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
    logger.info({ format, verification: report.verification.status }, 'report_served');
    deps.reportMetrics.reportsServed.inc({ format, verification: report.verification.status });
    if (format === 'markdown') {
      // Text, not JSON: fastify sends it as is, past the 200 schema (the JSON report), so the reply
      // is used untyped here.
      return (reply as FastifyReply).type('text/markdown; charset=utf-8').send(renderMarkdown(report));
    }
    return reply.send(report);
  });
}
