import { type ServiceName, queueDepth } from '@ir/testkit';
import { createTargetInstance, instanceFinding, type TargetInstance } from '../support/findings.js';
import { scrapeMetrics, sumOf } from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';
import { awsCallsByService, peakRssByService } from './per-service.js';
import { growthPerThousand, type RssSample, sampleRss } from './rss-series.js';
import { round } from './stats.js';

/** What `--storm` reports. */
export interface StormReport {
  readonly mode: 'storm';
  readonly findings: number;
  readonly instances: number;
  readonly incidentsOpened: number;
  readonly findingsPerSec: number;
  readonly drainSeconds: number;
  /** Most findings left waiting in the queue at once (the sender keeps below `backlog`). */
  readonly backlog: number;
  readonly outcomes: Record<string, number>;
  /** Re-emissions forwarded to the coordinator at once or held (IR_REEMISSION_FORWARD_SECONDS), and held ones released. */
  readonly reEmissions: Record<string, number>;
  /** AWS calls each service made during the run (`ir_aws_calls_total`, idle polls included). */
  readonly awsCalls: Record<ServiceName, number>;
  /** All services' calls over the findings sent. */
  readonly callsPerFinding: number;
  readonly maxRssMb: Record<ServiceName, number>;
  /** The emulator's RSS every 30 s of the run (empty when its process is not ours to read). */
  readonly emulatorRss: readonly RssSample[];
  /** MiB the emulator gained per 1,000 findings, first sample to last. */
  readonly emulatorGrowthMbPer1000: number;
}

/**
 * A GuardDuty re-emission storm: `findings` findings about `instances` instances (one finding id per
 * instance, re-emitted with rising count and updatedAt), sent as fast as detection takes them while
 * keeping at most `backlog` waiting in the queue. Why a bound: moto's ReceiveMessage scans the whole
 * queue, so 10,000 findings queued at once measure moto (about 0.1 findings/s here), not detection;
 * a real storm reaches SQS over minutes anyway. Reports the incidents opened (should equal
 * `instances`) and findings per second from the first send until the queue is empty.
 */
export async function runStorm(options: {
  readonly system: RunningSystem;
  readonly findings: number;
  readonly instances: number;
  readonly backlog: number;
  /** The emulator's pid, when this process started it: its RSS is sampled every 30 s. */
  readonly emulatorPid?: number | undefined;
  readonly log: (line: string) => void;
}): Promise<StormReport> {
  const { system, log } = options;
  log(`creating ${options.instances} instances…`);
  const targets: TargetInstance[] = [];
  for (let index = 0; index < options.instances; index++)
    targets.push(await createTargetInstance(system.clients));
  const first = Date.now() - options.findings * 1000;
  const tag = Date.now().toString(36);
  const bodies = Array.from({ length: options.findings }, (_, index) => {
    const target = targets[index % targets.length] as TargetInstance;
    return instanceFinding(target, {
      accountId: system.accountId,
      region: system.region,
      findingId: `storm${tag}${index % targets.length}`,
      count: Math.floor(index / targets.length) + 1,
      createdAt: new Date(first).toISOString(),
      updatedAt: new Date(first + index * 1000).toISOString(),
    });
  });
  log(`sending ${bodies.length} findings, at most ${options.backlog} waiting at once…`);
  const emulatorRss = options.emulatorPid ? sampleRss(options.emulatorPid) : undefined;
  const rssNote = () => {
    const latest = emulatorRss?.latest();
    return latest ? `, emulator RSS ${Math.round(latest.rssMb)} MiB` : '';
  };
  const started = Date.now();
  const depth = () => queueDepth(system.clients.sqs, system.boot.queues.findings.url);
  const batch = Math.max(10, Math.floor(options.backlog / 2));
  let nextProgress = started + 60_000;
  for (let sent = 0; sent < bodies.length; ) {
    const waiting = await depth();
    if (waiting + batch > options.backlog) {
      // Every second at most: moto's GetQueueAttributes counts every message, and the sender's own
      // reads were among moto's busiest calls in a storm.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    await system.sendFindings(bodies.slice(sent, sent + batch));
    sent += batch;
    if (Date.now() >= nextProgress) {
      log(
        `${Math.min(sent, bodies.length)} sent, ${round(sent / ((Date.now() - started) / 1000), 1)}/s so far${rssNote()}`,
      );
      nextProgress += 60_000;
    }
  }
  log(`all sent in ${round((Date.now() - started) / 1000, 1)} s; waiting for detection to drain the queue…`);
  for (;;) {
    if ((await depth()) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const drainSeconds = (Date.now() - started) / 1000;
  const rss = emulatorRss?.stop() ?? [];
  const metrics = await scrapeMetrics(system.url('detection'));
  const outcomes = Object.fromEntries(
    ['accepted', 'coalesced', 'rejected', 'sample', 'suppressed'].map((outcome) => [
      outcome,
      sumOf(metrics, 'ir_findings_total', { outcome }),
    ]),
  );
  outcomes.duplicates = sumOf(metrics, 'ir_finding_duplicates_total');
  const reEmissions = {
    forwarded: sumOf(metrics, 'ir_finding_reemissions_total', { handling: 'forwarded' }),
    held: sumOf(metrics, 'ir_finding_reemissions_total', { handling: 'held' }),
    released: sumOf(metrics, 'ir_finding_reemissions_released_total', { result: 'published' }),
  };
  const awsCalls = await awsCallsByService(system);
  const allCalls = Object.values(awsCalls).reduce((sum, calls) => sum + calls, 0);
  const incidents = (await system.api.list()).length;
  const maxRssMb = await peakRssByService(system);
  return {
    mode: 'storm',
    findings: options.findings,
    instances: options.instances,
    incidentsOpened: incidents,
    findingsPerSec: round(options.findings / drainSeconds, 1),
    drainSeconds: round(drainSeconds, 1),
    backlog: options.backlog,
    outcomes,
    reEmissions,
    awsCalls,
    callsPerFinding: round(allCalls / options.findings, 1),
    maxRssMb,
    emulatorRss: rss,
    emulatorGrowthMbPer1000: growthPerThousand(rss, options.findings),
  };
}
