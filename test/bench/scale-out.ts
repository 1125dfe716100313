import { BENCH_ENV, writeReport } from './args.js';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { type AwsEmulator, emulatorClients, isolatedAccount, startAwsEmulator } from '@ir/testkit';
import { type FaultProxy, type RecordedCall, startFaultProxy } from '../support/fault-proxy.js';
import { startSystem } from '../support/system.js';
import { type ContainmentCount, countContainments, type InstanceReadBack } from './containment-count.js';
import { type LoadReport, runLoad } from './load.js';
import type { Percentiles } from './stats.js';

/** One run of the load at a given number of replicas. */
export interface ScaleOutRun {
  readonly replicas: number;
  readonly throughputPerSec: number;
  readonly mtti: Percentiles;
  readonly completed: number;
  /** Findings whose incident is missing or did not complete. */
  readonly lost: number;
  /** Of those, findings with no incident at all (the rest opened one that did not complete in time). */
  readonly missing: number;
  readonly containment: ContainmentCount;
  readonly load: LoadReport;
}

/** What `--scale-out` reports. */
export interface ScaleOutReport {
  readonly mode: 'scale-out';
  readonly incidents: number;
  readonly rate: number;
  readonly runs: readonly ScaleOutRun[];
  /** Over both runs: the bench fails unless both are 0. */
  readonly duplicates: number;
  readonly lost: number;
}

/** What one scale-out run (and each of its loads) is given. */
interface ScaleOutOptions {
  readonly emulator: AwsEmulator;
  readonly region: string;
  readonly incidents: number;
  readonly rate: number;
  readonly replicas: number;
  readonly fromBuild: boolean;
  readonly log: (line: string) => void;
}

/** Runs the load with 1 and then `replicas` processes per service on one emulator. */
export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutReport> {
  const runs: ScaleOutRun[] = [];
  for (const replicas of [...new Set([1, options.replicas])]) {
    options.log(`— ${replicas} replica(s) per service —`);
    runs.push(await oneRun({ ...options, replicas }));
  }
  return {
    mode: 'scale-out',
    incidents: options.incidents,
    rate: options.rate,
    runs,
    duplicates: runs.reduce((total, run) => total + run.containment.duplicates, 0),
    lost: runs.reduce((total, run) => total + run.lost, 0),
  };
}

async function oneRun(options: ScaleOutOptions): Promise<ScaleOutRun> {
  const { emulator, region } = options;
  const proxy = await startFaultProxy({ upstream: emulator.endpoint, record: true });
  try {
    const account = await isolatedAccount({ endpoint: emulator.endpoint, region });
    const system = await startSystem({
      endpoint: emulator.endpoint,
      serviceEndpoint: proxy.url,
      region,
      account,
      replicas: options.replicas,
      fromBuild: options.fromBuild,
      env: { all: BENCH_ENV },
    });
    // runLoad clears the recording before its probe incident: keep what came before.
    const kept: RecordedCall[] = [];
    const keeping: FaultProxy = {
      ...proxy,
      clearRecording() {
        kept.push(...proxy.recorded());
        proxy.clearRecording();
      },
    };
    // runLoad stops the system itself once the load is measured (before replaying its probe).
    const load = await runLoad({
      system,
      proxy: keeping,
      emulatorEndpoint: emulator.endpoint,
      incidents: options.incidents,
      rate: options.rate,
      log: options.log,
    }).catch(async (error: unknown) => {
      await system.stop().catch(() => undefined);
      throw error;
    });
    const clients = emulatorClients({
      endpoint: emulator.endpoint,
      region,
      credentials: account.credentials,
    });
    try {
      const [instances, isolationGroups] = await Promise.all([
        readInstances(clients.ec2),
        isolationGroupIds(clients.ec2),
      ]);
      const containment = countContainments([...kept, ...proxy.recorded()], instances, isolationGroups);
      return {
        replicas: options.replicas,
        throughputPerSec: load.throughputPerSec,
        mtti: load.mtti,
        completed: load.completed,
        lost: load.incidents - load.completed,
        missing: load.lost,
        containment,
        load,
      };
    } finally {
      clients.destroy();
    }
  } finally {
    await proxy.stop();
  }
}

type Ec2 = ReturnType<typeof emulatorClients>['ec2'];

/** Every instance of the run's account (the account is the run's own) with its ENIs' groups. */
async function readInstances(ec2: Ec2): Promise<InstanceReadBack[]> {
  const instances: InstanceReadBack[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ NextToken }));
    for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
      instances.push({
        instanceId: instance.InstanceId ?? '',
        interfaces: (instance.NetworkInterfaces ?? []).map((eni) => ({
          networkInterfaceId: eni.NetworkInterfaceId ?? '',
          groupIds: (eni.Groups ?? []).map((group) => group.GroupId ?? ''),
        })),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return instances;
}

/** The isolator's isolation groups (one per VPC), by the role tag it gives them. */
async function isolationGroupIds(ec2: Ec2): Promise<Set<string>> {
  const output = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:ir:group-role', Values: ['isolation'] }] }),
  );
  return new Set((output.SecurityGroups ?? []).map((group) => group.GroupId ?? ''));
}

/** The report as rows: one column per replica count. */
export function scaleOutRows(report: ScaleOutReport): [string, ...string[]][] {
  const column = (pick: (run: ScaleOutRun) => string) => report.runs.map(pick);
  return [
    ['replicas per service', ...column((run) => String(run.replicas))],
    [
      'incidents / completed / lost (missing)',
      ...column((run) => `${report.incidents} / ${run.completed} / ${run.lost} (${run.missing})`),
    ],
    ['throughput (incidents/s)', ...column((run) => String(run.throughputPerSec))],
    ['MTTI p50 / p95 / p99 (s)', ...column((run) => `${run.mtti.p50} / ${run.mtti.p95} / ${run.mtti.p99}`)],
    [
      'instances isolated (AWS read-back)',
      ...column((run) => `${run.containment.isolated} of ${run.containment.instances}`),
    ],
    [
      'containment runs / ENI isolation moves',
      ...column((run) => `${run.containment.executions} / ${run.containment.isolationMoves}`),
    ],
    ['duplicate containments', ...column((run) => String(run.containment.duplicates))],
  ];
}

/** Prints the rows as a table, columns padded. */
export function printScaleOut(report: ScaleOutReport, out: (line: string) => void): void {
  const rows = scaleOutRows(report);
  const widths = rows[0]?.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length))) ?? [];
  for (const row of rows)
    out(
      row
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  for (const run of report.runs) {
    for (const entry of run.containment.duplicated) {
      out(
        `duplicate (${run.replicas} replicas): ${entry.instanceId} contained ${entry.executions} times, ${entry.isolationMoves} ENI moves`,
      );
    }
  }
  out(
    `duplicates ${report.duplicates}, lost ${report.lost}: ${report.duplicates + report.lost === 0 ? 'ok' : 'FAILED'}`,
  );
}

/** `pnpm bench --scale-out`: owns its emulator (main.ts hands over); resolves with the exit code. */
export async function scaleOutMain(
  args: {
    readonly incidents: number;
    readonly rate: number;
    readonly replicas: number;
    readonly from: 'build' | 'source';
    readonly out?: string | undefined;
  },
  log: (line: string) => void,
): Promise<number> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  log('starting the AWS emulator…');
  const emulator = await startAwsEmulator({ log });
  try {
    const report = await runScaleOut({ emulator, region, ...args, fromBuild: args.from === 'build', log });
    printScaleOut(report, (line) => process.stdout.write(`${line}\n`));
    if (args.out) log(`wrote ${writeReport(args.out, report)}`);
    return report.duplicates > 0 || report.lost > 0 ? 1 : 0;
  } catch (error: unknown) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await emulator.stop();
  }
}
