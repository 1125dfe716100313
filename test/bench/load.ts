import { type AttributeValue, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import type { ServiceName } from '@ir/testkit';
import type { IncidentView } from '../support/coordinator-api.js';
import type { FaultProxy } from '../support/fault-proxy.js';
import { createTargetInstance, instanceFinding, type TargetInstance } from '../support/findings.js';
import { bucketBounds, type Histogram, histogramOf, histogramQuantile } from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';
import { breakdownOf, type CallBreakdown, countCalls } from './call-breakdown.js';
import { criticalPathSeconds, isWorkFor } from './critical-path.js';
import { awsCallsByService, peakRssByService } from './per-service.js';
import { type Percentiles, percentiles, round } from './stats.js';
import { attributeMtti, type ReceivedSpan, type TraceBreakdown } from './traces.js';

/** The benchmark's JSON (the fields, plus how the numbers were cross-checked). */
export interface LoadReport {
  readonly incidents: number;
  readonly completed: number;
  readonly lost: number;
  readonly mtti: Percentiles;
  readonly mtte: Percentiles;
  readonly throughputPerSec: number;
  readonly awsCallsPerIsolation: number;
  /** Every AWS call during the load (before the probe), by calling service and operation, most first. */
  readonly loadCalls: Record<string, number>;
  /** The probe incident's calls from its finding to its completion, by service, operation and phase. */
  readonly probeCalls: CallBreakdown;
  readonly criticalPathSeconds: number;
  readonly overheadRatio: number;
  /** The probe's MTTI (it runs alone, after the load) and its ratio to the critical path. */
  readonly alone: { readonly mttiSeconds: number; readonly overheadRatio: number };
  readonly maxRssMb: Record<ServiceName, number>;
  readonly rate: number;
  /** Percentiles computed from each incident record's timestamps, and whether they agree. */
  readonly crossCheck: {
    readonly mtti: Percentiles & { readonly agrees: boolean; readonly observations: number };
    readonly mtte: Percentiles & { readonly agrees: boolean; readonly observations: number };
  };
  readonly awsCallsPerIncidentFromMetrics: number;
  readonly criticalPathRuns: readonly number[];
  /** MTTI split by hop (queue wait, handler, AWS) from the services' traces, when they were collected. */
  readonly traces?: TraceBreakdown;
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
  /** Spans received from the services (`IR_OTLP_ENDPOINT`); unset: no `traces` in the report. */
  readonly traceSpans?: (() => readonly ReceivedSpan[]) | undefined;
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
  // Waited for with one count on the table's status index every 2 s, straight to the emulator: polling
  // the API for every incident every second was an observer that took a third of the emulator.
  const completedInTime = await waitQuietlyForCompleted(
    system,
    incidents,
    300_000 + (incidents / rate) * 1000,
  );
  if (!completedInTime) log(`not every incident completed within the wait`);
  const views = (
    await Promise.all((await system.api.list()).map((summary) => system.api.get(summary.incidentId)))
  ).filter(ours);
  const completedViews = views.filter((view) => view.incident.status === 'completed');
  const finishedAt = Math.max(
    ...completedViews.map((view) => Date.parse(view.incident.evidenceSealedAt ?? '') || 0),
    0,
  );
  const callsAfter = await totalAwsCalls(system);
  // Every coordinator replica's histograms together (one replica unless the bench scales out).
  const metrics = await system.metrics('response-coordinator');
  // Every incident the histograms observed: contained (or sealed), whether or not it then completed.
  const mttiExact = views
    .filter((view) => view.incident.firstContainedAt)
    .map((view) => seconds(view.incident.receivedAt, view.incident.firstContainedAt));
  const mtteExact = views
    .filter((view) => view.incident.evidenceSealedAt)
    .map((view) => seconds(view.incident.receivedAt, view.incident.evidenceSealedAt));
  const mtti = fromHistogram(histogramOf(metrics, 'ir_time_to_isolate_seconds'), mttiExact);
  const mtte = fromHistogram(histogramOf(metrics, 'ir_time_to_evidence_seconds'), mtteExact);
  const maxRssMb = await peakRssByService(system);

  log('probe: one isolation alone, its AWS calls recorded…');
  // Every call of the load run (idle polls and background work included), by service and operation.
  const loadCalls = countCalls(proxy.recorded());
  proxy.clearRecording();
  const probeFinding = instanceFinding(probe, where);
  const probeStart = Date.now();
  await system.sendFinding(probeFinding);
  // Waited for on the table, straight to the emulator: polling the coordinator's API would add the
  // reads that serve it to the probe's calls.
  const probeIncidentId = await waitQuietlyForCompletion(system, String(probeFinding.detail.id));
  const probeView = await system.api.get(probeIncidentId);
  const containedAt = Date.parse(probeView.incident.firstContainedAt ?? '') || Date.now();
  const isProbeWork = isWorkFor([
    probeIncidentId,
    String(probeFinding.detail.id),
    probe.instanceId,
    probe.vpcId,
    ...probe.networkInterfaceIds,
    ...probe.volumeIds,
    ...probe.securityGroupIds,
    ...probe.subnetIds,
  ]);
  // The completion is written by the coordinator's last call; the notifier's last notice may follow.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const probeCalls = isProbeWork(proxy.recorded().filter((call) => call.at >= probeStart));
  const calls = probeCalls.filter((call) => call.at <= containedAt + 50);
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
    probeCalls: breakdownOf(probeCalls, probeView.steps),
    loadCalls,
    criticalPathSeconds: round(floor.seconds),
    overheadRatio: round(mtti.estimate.p50 / floor.seconds, 2),
    alone: {
      mttiSeconds: round(seconds(probeView.incident.receivedAt, probeView.incident.firstContainedAt)),
      overheadRatio: round(
        seconds(probeView.incident.receivedAt, probeView.incident.firstContainedAt) / floor.seconds,
        2,
      ),
    },
    maxRssMb,
    rate,
    crossCheck: { mtti: mtti.records, mtte: mtte.records },
    awsCallsPerIncidentFromMetrics: round((callsAfter - callsBefore) / Math.max(1, completedViews.length), 1),
    criticalPathRuns: floor.runs.map((run) => round(run)),
    // Read after the services stopped: each flushed its last spans on the way out.
    ...(options.traceSpans
      ? {
          traces: attributeMtti(
            options.traceSpans(),
            views.map((view) => view.incident),
          ),
        }
      : {}),
  };
}

/** Waits until `count` incidents are completed (gsi1 `STATUS#completed`, counted); false on time-out. */
async function waitQuietlyForCompleted(
  system: RunningSystem,
  count: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let completed = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await system.clients.dynamodb.send(
        new QueryCommand({
          TableName: system.boot.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: keys.statusGsiPk('completed') } },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      completed += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    if (completed >= count) return true;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return false;
}

/**
 * The incident a finding opened, once it completed: read from the table through the bench's own
 * client (straight to the emulator, not through the recording proxy). The FINDING item names the
 * incident; META holds its status.
 */
async function waitQuietlyForCompletion(system: RunningSystem, findingId: string): Promise<string> {
  const read = async (pk: string, sk: string) =>
    (
      await system.clients.dynamodb.send(
        new GetItemCommand({
          TableName: system.boot.tableName,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const deadline = Date.now() + 300_000;
  let incidentId: string | undefined;
  while (Date.now() < deadline) {
    incidentId ??= (await read(keys.findingPk('guardduty', system.accountId, findingId), keys.findingSk))
      ?.incidentId?.S;
    if (incidentId) {
      const meta = await read(keys.incidentPk(incidentId), keys.incidentSk);
      if (meta?.status?.S === 'completed') return incidentId;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the probe finding ${findingId} did not complete an incident within 5 minutes`);
}

/** Every AWS call every service counted (idle polls included). */
async function totalAwsCalls(system: RunningSystem): Promise<number> {
  return Object.values(await awsCallsByService(system)).reduce((sum, calls) => sum + calls, 0);
}
