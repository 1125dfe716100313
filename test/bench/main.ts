/**
 * `pnpm bench`: the whole pipeline against the AWS emulator on this machine. Starts its own emulator
 * (or uses AWS_ENDPOINT_URL), a recording proxy the services talk through, and the five services;
 * then either `--incidents N --rate R` (MTTI/MTTE, throughput, AWS calls, the critical-path floor,
 * peak memory) or `--storm` (a re-emission storm: incidents opened, findings per second). Writes JSON
 * to `--out` and a table to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isolatedAccount, startAwsEmulator } from '@ir/testkit';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startSystem } from '../support/system.js';
import { parseBenchArgs } from './args.js';
import { runLoad } from './load.js';
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

const region = process.env.AWS_REGION ?? 'us-east-1';
log('starting the AWS emulator…');
const emulator = await startAwsEmulator({ log });
const proxy = await startFaultProxy({ upstream: emulator.endpoint, record: args.mode === 'incidents' });
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
    env: { all: { LOG_LEVEL: 'warn' } },
  });
  try {
    const report =
      args.mode === 'storm'
        ? await runStorm({
            system,
            findings: args.findings,
            instances: args.instances,
            backlog: args.backlog,
            log,
          })
        : await runLoad({
            system,
            proxy,
            emulatorEndpoint: emulator.endpoint,
            incidents: args.incidents,
            rate: args.rate,
            log,
          });
    printTable(report, (line) => process.stdout.write(`${line}\n`));
    if (args.out) {
      const path = resolve(process.env.INIT_CWD ?? process.cwd(), args.out);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
      log(`wrote ${path}`);
    }
    if ('lost' in report && report.lost > 0) exitCode = 1;
  } finally {
    await system.stop();
  }
} catch (error: unknown) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  await proxy.stop();
  await emulator.stop();
}
process.exit(exitCode);
