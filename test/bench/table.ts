import type { LoadReport } from './load.js';
import { formatRssSeries } from './rss-series.js';
import type { StormReport } from './storm.js';
import { traceRows } from './traces.js';

/** The report as a readable two-column table. */
export function printTable(report: LoadReport | StormReport, out: (line: string) => void): void {
  const rows: [string, string][] =
    'mode' in report
      ? [
          ['findings', String(report.findings)],
          ['instances', String(report.instances)],
          ['incidents opened', `${report.incidentsOpened} (expected ${report.instances})`],
          ['findings per second', String(report.findingsPerSec)],
          ['drain time (s)', String(report.drainSeconds)],
          ['backlog bound', String(report.backlog)],
          ['outcomes', JSON.stringify(report.outcomes)],
          ['re-emissions (to the coordinator)', JSON.stringify(report.reEmissions)],
          [
            'AWS calls per finding',
            `${report.callsPerFinding} (by service ${JSON.stringify(report.awsCalls)})`,
          ],
          ['peak RSS (MiB)', JSON.stringify(report.maxRssMb)],
          ['emulator RSS every 30 s', formatRssSeries(report.emulatorRss)],
          ['emulator growth (MiB / 1,000 findings)', String(report.emulatorGrowthMbPer1000)],
        ]
      : [
          ['incidents / completed / lost', `${report.incidents} / ${report.completed} / ${report.lost}`],
          ['rate (findings/s)', String(report.rate)],
          ['MTTI p50 / p95 / p99 (s)', `${report.mtti.p50} / ${report.mtti.p95} / ${report.mtti.p99}`],
          [
            '  from incident records',
            `${report.crossCheck.mtti.p50} / ${report.crossCheck.mtti.p95} / ${report.crossCheck.mtti.p99} (agrees: ${report.crossCheck.mtti.agrees})`,
          ],
          ['MTTE p50 / p95 / p99 (s)', `${report.mtte.p50} / ${report.mtte.p95} / ${report.mtte.p99}`],
          [
            '  from incident records',
            `${report.crossCheck.mtte.p50} / ${report.crossCheck.mtte.p95} / ${report.crossCheck.mtte.p99} (agrees: ${report.crossCheck.mtte.agrees})`,
          ],
          ['throughput (incidents/s)', String(report.throughputPerSec)],
          [
            'AWS calls per isolation',
            `${report.awsCallsPerIsolation} (all calls per incident: ${report.awsCallsPerIncidentFromMetrics})`,
          ],
          [
            'load: AWS calls (top 12)',
            `${Object.values(report.loadCalls).reduce((sum, count) => sum + count, 0)} in all`,
          ],
          ...Object.entries(report.loadCalls)
            .slice(0, 12)
            .map(([operation, count]) => [`    ${operation}`, String(count)] as [string, string]),
          [
            'probe incident: AWS calls',
            `${report.probeCalls.total} (coordination before isolation ${report.probeCalls.coordinationBeforeIsolation}, isolator EC2 ${report.probeCalls.ec2ByIsolator})`,
          ],
          ['  by phase', JSON.stringify(report.probeCalls.byPhase)],
          ['  by service', JSON.stringify(report.probeCalls.byCaller)],
          ...Object.entries(report.probeCalls.byOperation).map(
            ([operation, count]) => [`    ${operation}`, String(count)] as [string, string],
          ),
          ['critical path (s)', `${report.criticalPathSeconds} (runs ${report.criticalPathRuns.join(', ')})`],
          ['overhead ratio (MTTI p50 / floor)', String(report.overheadRatio)],
          [
            'one incident alone: MTTI (s), ratio',
            `${report.alone.mttiSeconds}, ${report.alone.overheadRatio} (the probe, after the load)`,
          ],
          ['peak RSS (MiB)', JSON.stringify(report.maxRssMb)],
          ...(report.traces ? traceRows(report.traces) : []),
        ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out(`${label.padEnd(width)}  ${value}`);
}
