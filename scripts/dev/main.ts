/**
 * `pnpm dev`: the whole pipeline on this machine, no Docker. Starts the AWS emulator (or uses
 * AWS_ENDPOINT_URL), bootstraps queues, table, bucket and a notifications topic, seeds a demo account,
 * and runs the five services with labelled logs. `--demo` (or `pnpm demo`) also sends demo findings
 * and prints each incident's timeline; `--once` exits after the demo (exit 1 if it did not complete).
 * Ctrl-C stops everything cleanly.
 *
 * Operators are people here too: a local identity provider (the testkit's oidc-provider, with the demo
 * operators) runs on 127.0.0.1 and the coordinator trusts it (IR_AUTH_MODE=oidc); `irctl login` gets
 * a token from it. `--static-token` is the opt-in fallback of one shared token in `.ir/dev-api-token`
 * (the coordinator's local-development mode, recorded as `local-dev-token`, not a person).
 *
 * The web console is served by the coordinator at /console/ when `pnpm build` has built it
 * (packages/console/dist); the provider knows it as the public client `ir-console`, whose sign-in
 * returns to the coordinator's /console/callback. It is off with `--static-token` (it signs in with OIDC).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  bootstrap,
  DEMO_OPERATORS,
  freePort,
  emulatorClients,
  LOCAL_IDP_CLIENTS,
  type LocalIdentityProvider,
  SERVICE_NAMES,
  type ServiceProcess,
  startAwsEmulator,
  startIdentityProvider,
} from '@ir/testkit';
import { runDemo } from './demo.js';
import { seedDemoAccount } from './demo-account.js';
import { tapNotifications } from './notifications-tap.js';
import { startService } from './processes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = new Set(process.argv.slice(2));
const demo = args.has('--demo');
const once = args.has('--once');
const staticToken = args.has('--static-token');
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
  `[dev] demo account seeded: web-1 ${account.webInstance.instanceId} (2 ENIs, ASG, target group), db-1 ${account.databaseInstance.instanceId} (protected), bastion-1 ${account.bastionInstance.instanceId} (port-probed), batch-1, users ${account.deployer.userName} and ${account.analyst.userName}, bucket ${account.publicBucket.bucketName}`,
);

const apiUrl = `http://127.0.0.1:${portOf(1)}`;
// The console signs in through the provider and comes back here (the coordinator serves both).
const consoleUrl = `${apiUrl}/console/`;
// Built on every start (vite, about 2 s), so a fresh clone's `pnpm demo` has it and a changed app is
// never served stale.
const consoleBuild = spawnSync('pnpm', ['--filter', '@ir/console', 'build'], { cwd: root, stdio: 'ignore' });
if (consoleBuild.status !== 0)
  out('[dev] the console did not build: run pnpm --filter @ir/console build to see why');
const consoleBuilt = existsSync(join(root, 'packages/console/dist/index.html'));
mkdirSync(join(root, '.ir'), { recursive: true });
const tokenFile = join(root, '.ir', 'dev-api-token');
const secretFile = join(root, '.ir', 'dev-client-secret');
// Operator authentication of this run: the local identity provider (default), or one static token.
const auth = staticToken ? staticTokenAuth() : await identityProviderAuth();
const howToGetAToken = auth.howToGetAToken;
for (const line of howToGetAToken) out(line);

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
    // Development, not production: what allows the static-token opt-in and a generated key.
    IR_ENV: 'development',
    ...auth.coordinatorEnv,
    // The key decision messages are signed with, new each run (the coordinator would otherwise
    // generate one itself outside production; production requires it from a secret).
    IR_DECISION_SIGNING_KEY: randomBytes(32).toString('hex'),
    IR_TABLE: system.tableName,
    IR_EVIDENCE_BUCKET: system.bucketName,
    IR_EVIDENCE_SIGNING_KEY: system.signingKeyArn,
  },
  // The evidence bucket, read-only: contain.s3-object-delete checks the evidence copy first. The
  // emulator has no Kubernetes API: the in-cluster EKS steps are skipped, saying why.
  isolator: { IR_EVIDENCE_BUCKET: system.bucketName, IR_EKS_KUBERNETES_API: 'unavailable' },
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
    await auth.stop();
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
    api: { url: apiUrl, token: auth.demoToken },
    send: async (body) => {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: findingsUrl, MessageBody: body }));
    },
    sqs: clients.sqs,
    findingsDlqUrl: system.queues.findings.dlqUrl,
    out,
  });
  if (once) await shutdown(ok ? 0 : 1);
  // The demo's output has pushed the sign-in instructions out of sight: again, for the approvals.
  for (const line of howToGetAToken) out(line);
}

/** How operators authenticate in this run: the coordinator's variables, the demo's token, what to print. */
interface DevAuth {
  readonly coordinatorEnv: NodeJS.ProcessEnv;
  /** A token for the demo's own reads of the API (fresh when asked: tokens expire). */
  readonly demoToken: () => Promise<string>;
  readonly howToGetAToken: readonly string[];
  stop(): Promise<void>;
}

/**
 * The default: the testkit's identity provider (oidc-provider) on 127.0.0.1, port IR_DEV_IDP_PORT
 * (8700) or a free one with IR_DEV_PORTS=auto, and the coordinator in OIDC mode trusting it. The
 * demo reads the API with the automation client's client-credentials token (a responder); people
 * sign in with `irctl login` (device flow) as one of the demo operators. The automation client's
 * secret is generated at start and written, mode 600, to .ir/dev-client-secret for scripts (removed
 * at the end of the run).
 */
async function identityProviderAuth(): Promise<DevAuth> {
  const port = process.env.IR_DEV_PORTS === 'auto' ? 0 : Number(process.env.IR_DEV_IDP_PORT ?? '8700');
  const idp: LocalIdentityProvider = await startIdentityProvider({
    port,
    consoleRedirectUris: [`${consoleUrl}callback`],
  });
  // A static token left by an earlier `--static-token` run would only mislead: this coordinator refuses it.
  rmSync(tokenFile, { force: true });
  writeFileSync(secretFile, `${idp.clientSecrets.automation}\n`, { mode: 0o600 });
  let cached: { token: string; at: number } | undefined;
  const target = `--issuer ${idp.issuer} --audience ${idp.audience}`;
  const operators = Object.values(DEMO_OPERATORS)
    .map((operator) => `${operator.subject} (${operator.name}; ${operator.groups.join(', ')})`)
    .join(', ');
  return {
    coordinatorEnv: {
      IR_AUTH_MODE: 'oidc',
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
      // The provider's tokens carry `groups` with the coordinator's default role map's names.
      IR_OIDC_ROLES_CLAIM: 'groups',
      // An IR_API_TOKEN exported in this shell (an old static token) would make OIDC mode refuse to start.
      IR_API_TOKEN: undefined,
      // The console's public client at this provider (the coordinator's default, said here as the pair).
      IR_CONSOLE_CLIENT_ID: LOCAL_IDP_CLIENTS.console,
    },
    async demoToken() {
      // Tokens live 600 s; the demo may run longer than that.
      if (!cached || Date.now() - cached.at > 300_000) {
        cached = { token: await idp.clientToken('automation'), at: Date.now() };
      }
      return cached.token;
    },
    howToGetAToken: [
      `[dev] identity provider (local oidc-provider) ${idp.issuer}; the coordinator API ${apiUrl} takes its tokens for ${idp.audience}`,
      `[dev] sign in as an operator:  pnpm irctl login ${target}`,
      '[dev]   then open the URL it prints and pick a demo operator (a local provider: no passwords). Operators:',
      `[dev]   ${operators}`,
      `[dev] automation (responder):  IR_OIDC_CLIENT_SECRET=$(cat .ir/dev-client-secret) pnpm irctl login --client-credentials --client-id ${LOCAL_IDP_CLIENTS.automation} ${target}`,
      `[dev] then: pnpm irctl whoami; pnpm irctl incidents (AWS_ENDPOINT_URL=${emulator.endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing for submit, verify, dlq)`,
      consoleBuilt
        ? `[dev] console ${consoleUrl} (sign in as a demo operator)`
        : `[dev] console: not built; run pnpm build (it builds packages/console), then restart pnpm dev to use ${consoleUrl}`,
    ],
    async stop() {
      await idp.stop();
      // The secret dies with this provider; the next run generates another.
      rmSync(secretFile, { force: true });
    },
  };
}

/**
 * `--static-token`: the coordinator's local-development static-token mode, one random token for this
 * run in .ir/dev-api-token (mode 600). Its decisions are recorded as `local-dev-token`, not a person.
 */
function staticTokenAuth(): DevAuth {
  const token = randomBytes(24).toString('hex');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  rmSync(secretFile, { force: true });
  return {
    coordinatorEnv: { IR_AUTH_MODE: 'static-token', IR_API_TOKEN: token },
    demoToken: async () => token,
    howToGetAToken: [
      `[dev] coordinator API ${apiUrl} in static-token mode (--static-token): export IR_API_TOKEN=$(cat .ir/dev-api-token)`,
      '[dev]   decisions made with it are recorded as local-dev-token, not a person',
      '[dev] console: off with --static-token (it signs operators in with OIDC; run without the flag to use it)',
    ],
    stop: async () => undefined,
  };
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
