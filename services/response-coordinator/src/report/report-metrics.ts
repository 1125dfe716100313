import { Counter, type Registry } from 'prom-client';

/** Metrics of the report route; labels are bounded (a format and a verification status). */
export interface ReportMetrics {
  readonly reportsServed: Counter<'format' | 'verification'>;
}

/** Registers the report route's metrics on the runtime's registry. */
export function createReportMetrics(registry: Registry): ReportMetrics {
  return {
    reportsServed: new Counter({
      name: 'ir_reports_served_total',
      help: 'Incident reports served by GET /incidents/:id/report, by format and evidence verification status.',
      labelNames: ['format', 'verification'],
      registers: [registry],
    }),
  };
}
