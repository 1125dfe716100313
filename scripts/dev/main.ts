/**
 * `pnpm dev`: the whole pipeline on this machine, no Docker. Starts the AWS emulator (or uses
 * AWS_ENDPOINT_URL), bootstraps queues, table, bucket and a notifications topic, seeds a demo account,
 * and runs the five services with labelled logs. `--demo` (or `pnpm demo`) also sends demo findings
 * and prints each incident's timeline; `--once` exits after the demo (exit 1 if it did not complete).
 * Ctrl-C stops everything cleanly.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  bootstrap,
  freePort,
  emulatorClients,
  SERVICE_NAMES,
  type ServiceProcess,
  startAwsEmulator,
} from '@ir/testkit';
import { runDemo } from './demo.js';
import { seedDemoAccount } from './demo-account.js';
import { tapNotifications } from './notifications-tap.js';
import { startService } from './processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = new Set(process.argv.slice(2));
const demo = args.has('--demo');
const once = args.has('--once');
const out = (line: string) => process.stdout.write(`${line}\n`);
const SERVICES = SERVICE_NAMES;
// Ports 9101..9105 by default (irctl's default API URL is :9102); IR_DEV_PORTS=auto picks free ones,
// which tests use so a run never collides with another process.
const BASE_PORT = Number(process.env.IR_DEV_BASE_PORT ?? '9101');
const PORTS =
  process.env.IR_DEV_PORTS === 'auto'
    ? await Promise.all(SERVICE_NAMES.map(() => freePort()))
    : SERVICE_NAMES.map((_, index) => BASE_PORT + index);
const portOf = (index: number) => PORTS[index] ?? BASE_PORT + index;

const region = process.env.AWS_REGION ?? 'us-east-1';
out(
  `[dev] starting the AWS emulator${process.env.AWS_ENDPOINT_URL ? ` (using ${process.env.AWS_ENDPOINT_URL})` : ''}…`,
);
const emulator = await startAwsEmulator({ log: (line) => out(`[dev] ${line}`) });
// Dummy keys for the emulator (it accepts any); real credentials never come near pnpm dev.
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const clients = emulatorClients({ endpoint: emulator.endpoint, region, credentials });
const prefix = process.env.IR_PREFIX ?? 'ir';
const system = await bootstrap({ prefix, clients, notificationsTopic: `${prefix}-notifications` });
const accountId = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? '123456789012';
out(
  `[dev] ${emulator.kind} emulator at ${emulator.endpoint}; account ${accountId}; bootstrap created ${system.created.length} resources`,
);
const account = await seedDemoAccount(clients);
out(
  `[dev] demo account seeded: web-1 ${account.webInstance.instanceId} (2 ENIs, ASG, target group), db-1 ${account.databaseInstance.instanceId} (protected), batch-1, users ${account.deployer.userName} and ${account.analyst.userName}, bucket ${account.publicBucket.bucketName}`,
);

// The operator API token of this run, for irctl: written to a file only the user can read.
const token = randomBytes(24).toString('hex');
mkdirSync(join(root, '.ir'), { recursive: true });
writeFileSync(join(root, '.ir', 'dev-api-token'), `${token}\n`, { mode: 0o600 });
const apiUrl = `http://127.0.0.1:${portOf(1)}`;
out(
  `[dev] coordinator API ${apiUrl} (token in .ir/dev-api-token: export IR_API_TOKEN=$(cat .ir/dev-api-token))`,
);

const tap = await tapNotifications(clients, system.topicArn ?? '', (n) =>
  out(`[notification] ${n.severityBand} ${n.stage} ${n.incidentId}: ${n.summary}`),
);

const common: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_REGION: region,
  AWS_ENDPOINT_URL: emulator.endpoint,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  IR_PREFIX: prefix,
  IR_HOME_ACCOUNT_ID: accountId,
  IR_HTTP_HOST: '127.0.0.1',
  IR_WAIT_TIME_SECONDS: '5',
  IR_SHUTDOWN_GRACE_SECONDS: '10',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};
const perService: Record<(typeof SERVICES)[number], NodeJS.ProcessEnv> = {
  detection: {},
  // The evidence bucket, read-only: live incident reports verify the evidence.
  'response-coordinator': {
    // The explicit local-development auth mode: one static token, recorded as the `local-dev-token`
    // actor, never a person (IR_ENV=development is what allows it).
    IR_ENV: 'development',
    IR_AUTH_MODE: 'static-token',
    IR_API_TOKEN: token,
    IR_TABLE: system.tableName,
    IR_EVIDENCE_BUCKET: system.bucketName,
    IR_EVIDENCE_SIGNING_KEY: system.signingKeyArn,
  },
  isolator: {},
  forensics: {
    IR_EVIDENCE_BUCKET: system.bucketName,
    IR_EVIDENCE_SIGNING_KEY: system.signingKeyArn,
    IR_EVIDENCE_LOCK_MODE: 'GOVERNANCE',
    IR_EVIDENCE_RETENTION_DAYS: '1',
    // moto lacks SSM DescribeInstanceInformation: volatile collection is skipped, saying why.
    IR_SSM_INVENTORY: 'unavailable',
  },
  notifier: {
    IR_NOTIFY_ROUTES: join(root, 'services/notifier/routes.local.yaml'),
    IR_SNS_TOPIC_ARN: system.topicArn ?? '',
  },
};
const processes: ServiceProcess[] = SERVICES.map((name, index) =>
  startService(name, index, { ...common, ...perService[name], IR_HTTP_PORT: String(portOf(index)) }, out),
);

let stopping: Promise<void> | undefined;
const shutdown = (code: number) => {
  stopping ??= (async () => {
    out('[dev] stopping the services…');
    tap.stop();
    const codes = await Promise.all(processes.map((service) => service.stop(20_000)));
    out(`[dev] services stopped (exit codes ${codes.join(', ')}); stopping the emulator`);
    clients.destroy();
    await emulator.stop();
    process.exit(code);
  })();
  return stopping;
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
for (const service of processes) {
  void service.exited.then((code) => {
    if (!stopping) {
      out(`[dev] ${service.name} exited unexpectedly (code ${code}); stopping`);
      void shutdown(1);
    }
  });
}

await waitUntilReady(SERVICES.map((_, index) => `http://127.0.0.1:${portOf(index)}/readyz`));
out('[dev] all five services are ready. Ctrl-C stops everything.');

if (demo) {
  const findingsUrl =
    (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-findings` }))).QueueUrl ?? '';
  const ok = await runDemo({
    account,
    accountId,
    region,
    api: { url: apiUrl, token },
    send: async (body) => {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: findingsUrl, MessageBody: body }));
    },
    sqs: clients.sqs,
    findingsDlqUrl: system.queues.findings.dlqUrl,
    out,
  });
  if (once) await shutdown(ok ? 0 : 1);
}

async function waitUntilReady(urls: readonly string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      const ready = await fetch(url).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) {
        out(`[dev] ${url} did not become ready within ${timeoutMs / 1000} s`);
        await shutdown(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
