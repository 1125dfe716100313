/**
 * Throughput benchmark (not a test): pushes N raw findings through ONE detection process against
 * the AWS emulator and prints findings per second and the process's peak RSS.
 *
 *   pnpm --filter @ir/detection bench            # 500 findings
 *   BENCH_FINDINGS=2000 pnpm --filter @ir/detection bench
 *
 * The service runs as its own process (src/main.ts, configured only through the environment, as in
 * production), so the RSS is the service's, not the benchmark's. Findings are queued before the
 * service starts; the clock runs from `/readyz` answering 200 to the last finding counted in
 * `ir_findings_total`. Peak RSS is the kernel's high-water mark (VmHWM) when /proc has it, else the
 * highest `process_resident_memory_bytes` sampled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import {
  bootstrap,
  emulatorClients,
  guardDutyEventBridgeFinding,
  isolatedAccount,
  nativeFinding,
  securityHubImportedEvent,
  startAwsEmulator,
} from '@ir/testkit';

const total = Number(process.env.BENCH_FINDINGS ?? 500);
const resources = Math.max(1, Math.floor(total / 20));
const region = process.env.AWS_REGION ?? 'us-east-1';

/** A realistic mix: every resource gets several finding ids, each re-emitted, in all three formats. */
function findings(): string[] {
  return Array.from({ length: total }, (_, i) => {
    const resource = {
      kind: 'instance',
      instanceId: `i-0be${String(i % resources).padStart(14, '0')}`,
    } as const;
    const options = {
      resource,
      findingId: `bench${i % (resources * 5)}`,
      count: Math.floor(i / (resources * 5)) + 1,
    };
    const timed = {
      ...options,
      updatedAt: new Date(Date.UTC(2024, 4, 2, 14, 0, options.count)).toISOString(),
    };
    if (i % 3 === 0) return JSON.stringify(nativeFinding(timed));
    if (i % 3 === 1) return JSON.stringify(guardDutyEventBridgeFinding(timed));
    return JSON.stringify(securityHubImportedEvent(timed));
  });
}

function sum(metrics: string, name: string): number {
  let value = 0;
  for (const line of metrics.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) value += Number(line.split(' ').pop());
  return value;
}

async function peakRss(child: ChildProcess, sampled: number): Promise<{ bytes: number; how: string }> {
  try {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) return { bytes: Number(kb) * 1024, how: 'VmHWM' };
  } catch {
    // No /proc (macOS): fall back to the sampled gauge.
  }
  return { bytes: sampled, how: 'sampled process_resident_memory_bytes' };
}

const emulator = await startAwsEmulator({ log: (line) => process.stderr.write(`[emulator] ${line}\n`) });
const account = await isolatedAccount({ endpoint: emulator.endpoint, region });
const clients = emulatorClients({ endpoint: emulator.endpoint, region, credentials: account.credentials });
const system = await bootstrap({ prefix: 'ir', clients });
const bodies = findings();
for (let offset = 0; offset < bodies.length; offset += 10) {
  await clients.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: system.queues.findings.url,
      Entries: bodies
        .slice(offset, offset + 10)
        .map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

process.stderr.write(`queued ${total} findings\n`);
const child = spawn(process.execPath, ['--conditions=@ir/source', '--import', 'tsx', 'src/main.ts'], {
  cwd: new URL('..', import.meta.url).pathname,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    PATH: process.env.PATH,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: account.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: account.credentials.secretAccessKey,
    ...(account.credentials.sessionToken ? { AWS_SESSION_TOKEN: account.credentials.sessionToken } : {}),
    IR_HOME_ACCOUNT_ID: account.accountId,
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_WORKER_CONCURRENCY: process.env.IR_WORKER_CONCURRENCY ?? '10',
    LOG_LEVEL: 'info',
  },
});
const port = await new Promise<number>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`detection exited with ${code} before starting`)));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.includes('"service_started"')) resolve((JSON.parse(line) as { port: number }).port);
  });
});
const base = `http://127.0.0.1:${port}`;
while ((await fetch(`${base}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 50));
process.stderr.write(`detection ready on port ${port}\n`);
const started = process.hrtime.bigint();
let sampledRss = 0;
let counted = 0;
while (counted < total) {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  counted = sum(metrics, 'ir_findings_total');
  sampledRss = Math.max(sampledRss, sum(metrics, 'process_resident_memory_bytes'));
  await new Promise((r) => setTimeout(r, 100));
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const metrics = await (await fetch(`${base}/metrics`)).text();
const rss = await peakRss(child, sampledRss);
const outcome = (name: string) =>
  metrics
    .split('\n')
    .filter((line) => line.startsWith('ir_findings_total{') && line.includes(`outcome="${name}"`))
    .reduce((acc, line) => acc + Number(line.split(' ').pop()), 0);
process.stdout.write(
  [
    `emulator: ${emulator.kind} ${emulator.endpoint}`,
    `findings: ${total} on ${resources} resources (accepted ${outcome('accepted')}, coalesced ${outcome('coalesced')})`,
    `elapsed: ${seconds.toFixed(2)} s`,
    `throughput: ${(total / seconds).toFixed(1)} findings/s`,
    `peak RSS: ${(rss.bytes / 1024 / 1024).toFixed(1)} MiB (${rss.how})`,
    '',
  ].join('\n'),
);
// Results first: a teardown that misbehaves must not lose them.
child.kill('SIGTERM');
await Promise.race([
  new Promise((resolve) => child.once('exit', resolve)),
  new Promise((resolve) => setTimeout(resolve, 30_000)),
]);
clients.destroy();
await emulator.stop();
