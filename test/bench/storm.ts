import { SERVICE_NAMES, type ServiceName, queueDepth } from '@ir/testkit';
import { createTargetInstance, instanceFinding, type TargetInstance } from '../support/findings.js';
import { scrapeMetrics, sumOf } from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';
import { peakRssMb } from './process-memory.js';
import { round } from './stats.js';

/** What `--storm` reports. */
export interface StormReport {
  readonly mode: 'storm';
  readonly findings: number;
  readonly instances: number;
  readonly incidentsOpened: number;
  readonly findingsPerSec: number;
  readonly drainSeconds: number;
  readonly outcomes: Record<string, number>;
  readonly maxRssMb: Record<ServiceName, number>;
}

/**
 * A GuardDuty re-emission storm: `findings` findings about `instances` instances (one finding id per
 * instance, re-emitted with rising count and updatedAt), queued as fast as SQS takes them. Reports the
 * incidents opened (should equal `instances`) and how fast detection drained the queue.
 */
export async function runStorm(options: {
  readonly system: RunningSystem;
  readonly findings: number;
  readonly instances: number;
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
  log(`queueing ${bodies.length} findings…`);
  const started = Date.now();
  const chunk = Math.ceil(bodies.length / 4);
  await Promise.all(
    [0, 1, 2, 3].map((part) => system.sendFindings(bodies.slice(part * chunk, (part + 1) * chunk))),
  );
  log(`queued in ${round((Date.now() - started) / 1000, 1)} s; waiting for detection to drain the queue…`);
  for (;;) {
    if ((await queueDepth(system.clients.sqs, system.boot.queues.findings.url)) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const drainSeconds = (Date.now() - started) / 1000;
  const metrics = await scrapeMetrics(system.url('detection'));
  const outcomes = Object.fromEntries(
    ['accepted', 'coalesced', 'rejected', 'sample', 'suppressed'].map((outcome) => [
      outcome,
      sumOf(metrics, 'ir_findings_total', { outcome }),
    ]),
  );
  outcomes.duplicates = sumOf(metrics, 'ir_finding_duplicates_total');
  const incidents = (await system.api.list()).length;
  const maxRssMb = Object.fromEntries(
    await Promise.all(SERVICE_NAMES.map(async (name) => [name, await peakRssMb(system.pid(name))] as const)),
  ) as Record<ServiceName, number>;
  return {
    mode: 'storm',
    findings: options.findings,
    instances: options.instances,
    incidentsOpened: incidents,
    findingsPerSec: round(options.findings / drainSeconds, 1),
    drainSeconds: round(drainSeconds, 1),
    outcomes,
    maxRssMb,
  };
}
