import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  callLogEnv,
  type BootstrapResult,
  type EmulatorAccount,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceProcess,
  startServiceProcess,
} from '@ir/testkit';

/** The five services running as processes against one emulated account. */
export interface RunningSystem {
  readonly apiUrl: string;
  readonly token: string;
  readonly processes: readonly ServiceProcess[];
  /** The last lines each service wrote, for a failing test's message. */
  readonly tail: (name: ServiceName) => string[];
  stop(): Promise<void>;
}

/** Settings of {@link startSystem}. */
export interface StartSystemOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly account: EmulatorAccount;
  readonly system: BootstrapResult;
  /** Extra variables per service (e.g. `IR_MAX_AUTO_CONTAINMENTS` for the coordinator). */
  readonly extra?: Partial<Record<ServiceName, Record<string, string>>>;
  readonly readyTimeoutMs?: number;
  /**
   * The coordinator's operator API in OIDC mode, trusting this issuer and audience (the testkit's
   * identity provider), instead of the static-token mode; `token` is then unused.
   */
  readonly oidc?: { readonly issuer: string; readonly audience: string };
  /** Only these services (default all five), e.g. the coordinator alone for an API test. */
  readonly services?: readonly ServiceName[];
}

/**
 * Starts detection, response-coordinator, isolator, forensics and notifier as separate processes (the
 * real entry points, as `pnpm dev` does) in `account`, each on a free port read from its
 * `service_started` log line, and waits until every one is ready. The environment follows
 * scripts/dev/main.ts. Candidate for @ir/testkit: the e2e and reliability suites need the same.
 */
export async function startSystem(options: StartSystemOptions): Promise<RunningSystem> {
  const token = randomBytes(24).toString('hex');
  const decisionSigningKey = randomBytes(32).toString('base64');
  const { credentials } = options.account;
  const common: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: options.region,
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    IR_PREFIX: 'ir',
    IR_HOME_ACCOUNT_ID: options.account.accountId,
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_SHUTDOWN_GRACE_SECONDS: '5',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '5',
    LOG_LEVEL: 'info',
    ...callLogEnv(),
  };
  const perService: Record<ServiceName, NodeJS.ProcessEnv> = {
    detection: { IR_TABLE: options.system.tableName },
    'response-coordinator': {
      // The local-development static-token mode (its actor is `local-dev-token`, not a person).
      IR_ENV: 'test',
      IR_AUTH_MODE: 'static-token',
      IR_API_TOKEN: token,
      // One decision signing key for the whole run: a coordinator restarted (or killed and started
      // again) must verify the decisions its predecessor published.
      IR_DECISION_SIGNING_KEY: decisionSigningKey,
      IR_TABLE: options.system.tableName,
      IR_SWEEP_INTERVAL_SECONDS: '5',
      ...(options.oidc ? oidcModeEnv(options.oidc) : {}),
      IR_EVIDENCE_SIGNING_KEY: options.system.signingKeyArn,
    },
    isolator: {},
    forensics: {
      IR_EVIDENCE_BUCKET: options.system.bucketName,
      IR_EVIDENCE_SIGNING_KEY: options.system.signingKeyArn,
      IR_EVIDENCE_LOCK_MODE: 'GOVERNANCE',
      IR_EVIDENCE_RETENTION_DAYS: '1',
      // moto lacks SSM DescribeInstanceInformation: volatile collection is skipped, saying why.
      IR_SSM_INVENTORY: 'unavailable',
    },
    notifier: {
      IR_NOTIFY_ROUTES: join(REPO_ROOT, 'services/notifier/routes.local.yaml'),
      ...(options.system.topicArn ? { IR_SNS_TOPIC_ARN: options.system.topicArn } : {}),
    },
  };
  const lines = new Map<ServiceName, string[]>();
  const ports = new Map<ServiceName, number>();
  const names = SERVICE_NAMES.filter((name) => !options.services || options.services.includes(name));
  const processes = names.map((name) => {
    lines.set(name, []);
    return startServiceProcess({
      name,
      env: { ...common, ...perService[name], ...(options.extra?.[name] ?? {}) },
      onLine: (line) => {
        const kept = lines.get(name) ?? [];
        kept.push(line);
        if (kept.length > 200) kept.shift();
        if (line.includes('"service_started"')) {
          const port = (JSON.parse(line) as { port?: number }).port;
          if (typeof port === 'number') ports.set(name, port);
        }
      },
    });
  });
  const stop = async () => {
    await Promise.all(processes.map((service) => service.stop(15_000)));
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  for (const name of names) {
    for (;;) {
      const port = ports.get(name);
      const ready =
        port !== undefined &&
        (await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.ok,
          () => false,
        ));
      if (ready) break;
      const exited = processes.find((service) => service.name === name)?.child.exitCode;
      if (Date.now() > deadline || (exited !== null && exited !== undefined)) {
        await stop();
        throw new Error(`${name} did not become ready:\n${(lines.get(name) ?? []).slice(-20).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    apiUrl: `http://127.0.0.1:${ports.get('response-coordinator')}`,
    token,
    processes,
    tail: (name) => [...(lines.get(name) ?? [])],
    stop,
  };
}

/**
 * The coordinator's OIDC variables (as services/response-coordinator's operator-auth test sets them):
 * overrides the static-token mode's IR_AUTH_MODE and removes its IR_API_TOKEN, which OIDC mode refuses.
 */
function oidcModeEnv(oidc: { issuer: string; audience: string }): NodeJS.ProcessEnv {
  return {
    IR_AUTH_MODE: 'oidc',
    IR_API_TOKEN: undefined,
    IR_OIDC_ISSUER: oidc.issuer,
    IR_OIDC_AUDIENCE: oidc.audience,
  };
}
