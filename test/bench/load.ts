import { SERVICE_NAMES, type ServiceName } from '@ir/testkit';
import type { IncidentView } from '../support/coordinator-api.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { createTargetInstance, instanceFinding, type TargetInstance } from '../support/findings.js';
import { waitForIncidents } from '../support/incident-progress.js';
import {
  bucketBounds,
  type Histogram,
  histogramOf,
  histogramQuantile,
  scrapeMetrics,
  sumOf,
} from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';
import { criticalPathSeconds, isWorkFor } from './critical-path.js';
import { peakRssMb } from './process-memory.js';
import { type Percentiles, percentiles, round } from './stats.js';

/** The benchmark's JSON (the fields, plus how the numbers were cross-checked). */
export interface LoadReport {
  readonly incidents: number;
  readonly completed: number;
  readonly lost: number;
  readonly mtti: Percentiles;
  readonly mtte: Percentiles;
  readonly throughputPerSec: number;
  readonly awsCallsPerIsolation: number;
  readonly criticalPathSeconds: number;
  readonly overheadRatio: number;
  readonly maxRssMb: Record<ServiceName, number>;
  readonly rate: number;
  /** Percentiles computed from each incident record's timestamps, and whether they agree. */
  readonly crossCheck: {
    readonly mtti: Percentiles & { readonly agrees: boolean; readonly observations: number };
    readonly mtte: Percentiles & { readonly agrees: boolean; readonly observations: number };
  };
  readonly awsCallsPerIncidentFromMetrics: number;
  readonly criticalPathRuns: readonly number[];
}

const seconds = (from: string, to: string | undefined) =>
  to ? (Date.parse(to) - Date.parse(from)) / 1000 : Number.NaN;

/** Histogram percentiles, and whether each lies in the bucket where the exact record value lies. */
function fromHistogram(histogram: Histogram, exact: readonly number[]) {
  const estimate = {
    p50: histogramQuantile(0.5, histogram),
    p95: histogramQuantile(0.95, histogram),
    p99: histogramQuantile(0.99, histogram),
  };
  const records = percentiles(exact);
  const within = (key: keyof Percentiles) => {
    const { lower, upper } = bucketBounds(histogram, records[key]);
    return estimate[key] >= lower && estimate[key] <= upper;
  };
  return {
    estimate: { p50: round(estimate.p50), p95: round(estimate.p95), p99: round(estimate.p99) },
    records: {
      p50: round(records.p50),
      p95: round(records.p95),
      p99: round(records.p99),
      agrees: histogram.count === exact.length && within('p50') && within('p95') && within('p99'),
      observations: exact.length,
    },
  };
}

/**
 * `incidents` EC2 compromises sent at `rate` findings per second, each on its own instance; then one
 * probe incident alone, whose AWS calls the proxy records, replayed directly after the services stop.
 */
export async function runLoad(options: {
  readonly system: RunningSystem;
  readonly proxy: FaultProxy;
  readonly emulatorEndpoint: string;
  readonly incidents: number;
  readonly rate: number;
  readonly log: (line: string) => void;
}): Promise<LoadReport> {
  const { system, proxy, incidents, rate, log } = options;
  const where = { accountId: system.accountId, region: system.region };
  log(`creating ${incidents + 1} instances…`);
  const instances: TargetInstance[] = [];
  for (let index = 0; index <= incidents; index++) instances.push(await createTargetInstance(system.clients));
  const probe = instances.pop() as TargetInstance;
  const findings = instances.map((instance) => instanceFinding(instance, where));
  const ids = new Set(findings.map((finding) => String(finding.detail.id)));
  const ours = (view: IncidentView) => view.incident.findings.some((finding) => ids.has(finding.id));

  log(`sending ${incidents} findings at ${rate}/s…`);
  const callsBefore = await totalAwsCalls(system);
  const started = Date.now();
  for (const [index, finding] of findings.entries()) {
    const due = started + (index * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    await system.sendFinding(finding);
  }
  let views: IncidentView[] = [];
  try {
    views = await waitForIncidents(system.api, {
      count: incidents,
      filter: ours,
      done: (view) => view.incident.status === 'completed',
      timeoutMs: 300_000 + (incidents / rate) * 1000,
    });
  } catch (error: unknown) {
    log(
      `not every incident completed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
    views = (await Promise.all((await system.api.list()).map((s) => system.api.get(s.incidentId)))).filter(
      ours,
    );
  }
  const completedViews = views.filter((view) => view.incident.status === 'completed');
  const finishedAt = Math.max(
    ...completedViews.map((view) => Date.parse(view.incident.evidenceSealedAt ?? '') || 0),
    0,
  );
  const callsAfter = await totalAwsCalls(system);
  const metrics = await scrapeMetrics(system.url('response-coordinator'));
  // Every incident the histograms observed: contained (or sealed), whether or not it then completed.
  const mttiExact = views
    .filter((view) => view.incident.firstContainedAt)
    .map((view) => seconds(view.incident.receivedAt, view.incident.firstContainedAt));
  const mtteExact = views
    .filter((view) => view.incident.evidenceSealedAt)
    .map((view) => seconds(view.incident.receivedAt, view.incident.evidenceSealedAt));
  const mtti = fromHistogram(histogramOf(metrics, 'ir_time_to_isolate_seconds'), mttiExact);
  const mtte = fromHistogram(histogramOf(metrics, 'ir_time_to_evidence_seconds'), mtteExact);
  const maxRssMb = Object.fromEntries(
    await Promise.all(SERVICE_NAMES.map(async (name) => [name, await peakRssMb(system.pid(name))] as const)),
  ) as Record<ServiceName, number>;

  log('probe: one isolation alone, its AWS calls recorded…');
  proxy.clearRecording();
  const probeFinding = instanceFinding(probe, where);
  const probeStart = Date.now();
  await system.sendFinding(probeFinding);
  const [probeView] = await waitForIncidents(system.api, {
    count: 1,
    filter: (view) => view.incident.findings.some((finding) => finding.id === String(probeFinding.detail.id)),
    done: (view) => view.incident.status === 'completed',
  });
  const containedAt = Date.parse(probeView?.incident.firstContainedAt ?? '') || Date.now();
  const isProbeWork = isWorkFor([
    probeView?.incident.incidentId ?? '',
    String(probeFinding.detail.id),
    probe.instanceId,
    probe.vpcId,
    ...probe.networkInterfaceIds,
    ...probe.volumeIds,
    ...probe.securityGroupIds,
    ...probe.subnetIds,
  ]);
  const calls = proxy
    .recorded()
    .filter((call) => call.at >= probeStart && call.at <= containedAt + 50 && isProbeWork(call));
  await system.stop();
  log(`replaying the probe's ${calls.length} AWS calls one after another, 5 times…`);
  const floor = await criticalPathSeconds(options.emulatorEndpoint, calls);

  return {
    incidents,
    completed: completedViews.length,
    lost: incidents - views.length,
    mtti: mtti.estimate,
    mtte: mtte.estimate,
    throughputPerSec: round(completedViews.length / Math.max(0.001, (finishedAt - started) / 1000)),
    awsCallsPerIsolation: calls.length,
    criticalPathSeconds: round(floor.seconds),
    overheadRatio: round(mtti.estimate.p50 / floor.seconds, 2),
    maxRssMb,
    rate,
    crossCheck: { mtti: mtti.records, mtte: mtte.records },
    awsCallsPerIncidentFromMetrics: round((callsAfter - callsBefore) / Math.max(1, completedViews.length), 1),
    criticalPathRuns: floor.runs.map((run) => round(run)),
  };
}

/** Every AWS call every service counted (idle polls included). */
async function totalAwsCalls(system: RunningSystem): Promise<number> {
  let total = 0;
  for (const name of SERVICE_NAMES)
    total += sumOf(await scrapeMetrics(system.url(name)), 'ir_aws_calls_total');
  return total;
}
