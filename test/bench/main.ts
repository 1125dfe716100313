/**
 * `pnpm bench`: the whole pipeline against the AWS emulator on this machine. Starts its own emulator
 * (or uses AWS_ENDPOINT_URL), a recording proxy the services talk through, and the five services;
 * then either `--incidents N --rate R` (MTTI/MTTE, throughput, AWS calls, the critical-path floor,
 * peak memory) or `--storm` (a re-emission storm: incidents opened, findings per second). Writes JSON
 * to `--out` and a table to stdout.
 */
import { spawnSync } from 'node:child_process';
import { isolatedAccount, startAwsEmulator, startOtlpReceiver } from '@ir/testkit';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startSystem } from '../support/system.js';
import { BENCH_ENV, parseBenchArgs, writeReport } from './args.js';
import { runLoad } from './load.js';
import { scaleOutMain } from './scale-out.js';
import { printTable } from './table.js';
import { runStorm } from './storm.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let args: ReturnType<typeof parseBenchArgs>;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

if (args.from === 'build') {
  // The services as the image runs them; tsc -b is incremental, so an up-to-date build costs seconds.
  log('building the services (tsc -b tsconfig.build.json)…');
  const built = spawnSync('pnpm', ['exec', 'tsc', '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (built.status !== 0) {
    log('the build failed; `--from source` runs the sources under tsx');
    process.exit(1);
  }
}

// Two systems one after the other on one emulator: scale-out.ts runs it all.
if (args.mode === 'scale-out') process.exit(await scaleOutMain(args, log));

const region = process.env.AWS_REGION ?? 'us-east-1';
log('starting the AWS emulator…');
const emulator = await startAwsEmulator({ log });
const proxy = await startFaultProxy({ upstream: emulator.endpoint, record: args.mode === 'incidents' });
// Spans of the load run (MTTI by hop); the storm measures raw throughput, untraced.
// IR_BENCH_TRACES=off: the same run untraced, for the tracing's own cost (memory, MTTI).
const traces =
  args.mode === 'incidents' && process.env.IR_BENCH_TRACES !== 'off' ? await startOtlpReceiver() : undefined;
let exitCode = 0;
try {
  const account = await isolatedAccount({ endpoint: emulator.endpoint, region });
  log(
    `${emulator.kind} emulator at ${emulator.endpoint}; starting the five services (account ${account.accountId})…`,
  );
  const system = await startSystem({
    endpoint: emulator.endpoint,
    serviceEndpoint: proxy.url,
    region,
    account,
    replicas: args.mode === 'incidents' ? args.replicas : 1,
    fromBuild: args.from === 'build',
    env: { all: { ...BENCH_ENV, ...(traces ? { IR_OTLP_ENDPOINT: traces.url } : {}) } },
  });
  try {
    const report =
      args.mode === 'storm'
        ? await runStorm({
            system,
            findings: args.findings,
            instances: args.instances,
            backlog: args.backlog,
            emulatorPid: emulator.pid,
            log,
          })
        : await runLoad({
            system,
            proxy,
            emulatorEndpoint: emulator.endpoint,
            incidents: args.incidents,
            rate: args.rate,
            traceSpans: traces ? () => traces.spans : undefined,
            log,
          });
    printTable(report, (line) => process.stdout.write(`${line}\n`));
    if (args.out) log(`wrote ${writeReport(args.out, report)}`);
    // A lost or unfinished incident fails the run (CI's smoke run relies on it); numbers never do.
    if ('lost' in report && (report.lost > 0 || report.completed < report.incidents)) exitCode = 1;
  } finally {
    await system.stop();
  }
} catch (error: unknown) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  await traces?.stop();
  await proxy.stop();
  await emulator.stop();
}
process.exit(exitCode);
