import { randomBytes } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  bootstrap,
  type BootstrapResult,
  callLogEnv,
  type EmulatorAccount,
  type EmulatorClients,
  emulatorClients,
  freePort,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceProcess,
  startIdentityProvider,
  startServiceProcess,
} from '@ir/testkit';
import { type CoordinatorApi, coordinatorApi } from './coordinator-api.js';
import { type FindingDecision, findingDecisionOf } from './ledger.js';
import { type NotificationReceivers, startNotificationReceivers } from './notification-receivers.js';
import { type OperatorName, operatorTokens } from './operator.js';
import { type Sample, scrapeMetrics } from './prometheus.js';

/** Settings of {@link startSystem}. */
export interface SystemOptions {
  /** The emulator the test itself reads AWS state from. */
  readonly endpoint: string;
  /** What the services talk to: a fault-injecting proxy, or the emulator itself (the default). */
  readonly serviceEndpoint?: string;
  readonly region: string;
  readonly account: EmulatorAccount;
  readonly prefix?: string;
  /** Extra environment for every service (`all`) or one of them; wins over the defaults. */
  readonly env?: Partial<Record<ServiceName | 'all', NodeJS.ProcessEnv>>;
  /** Echo every service log line to stderr (also `IR_SYSTEM_LOGS=1`), for debugging a run. */
  readonly echoLogs?: boolean;
  /**
   * Processes per service (default 1), each on its own HTTP port, all on the same queues and table:
   * scale-out as production runs it. `url`, `pid`, `logs`, `kill`, `terminate` and `start` act on
   * replica 0; `urls`, `pids` and `metrics` cover them all.
   */
  readonly replicas?: number;
  /** Run the services from their build (`dist/main.js` on node, as the image does); default: sources. */
  readonly fromBuild?: boolean;
}

/** A service exit nobody asked for. */
export interface UnexpectedExit {
  readonly name: ServiceName;
  readonly replica: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly lastLines: readonly string[];
}

/** The whole pipeline, five processes, running against the emulator in one account. */
export interface RunningSystem {
  readonly accountId: string;
  readonly region: string;
  /** Clients acting in the system's account, straight on the emulator (never through a proxy). */
  readonly clients: EmulatorClients;
  readonly boot: BootstrapResult;
  /**
   * The operator API as the responder of the local identity provider: reads, rollback and resolve
   * requests. Approvals need an approver: {@link RunningSystem.apiAs}.
   */
  readonly api: CoordinatorApi;
  /** The operator API as another person of the local identity provider (`DEMO_OPERATORS`). */
  apiAs(name: OperatorName): CoordinatorApi;
  /** A current access token of a person of the local identity provider (for irctl's IR_API_TOKEN). */
  operatorToken(name: OperatorName): Promise<string>;
  /** The local identity provider's issuer, which the coordinator trusts. */
  readonly issuer: string;
  readonly receivers: NotificationReceivers;
  readonly unexpectedExits: readonly UnexpectedExit[];
  /** Base URL of a service's HTTP server (health, metrics; the API on the coordinator); replica 0. */
  url(name: ServiceName): string;
  /** Base URLs of every replica of a service, replica 0 first. */
  urls(name: ServiceName): readonly string[];
  /** The pid of the service's current process (for /proc/<pid>/status); replica 0. */
  pid(name: ServiceName): number;
  /** The pids of every replica's current process, replica 0 first. */
  pids(name: ServiceName): readonly number[];
  /**
   * Every replica's `/metrics` samples together: sums (`sumOf`, `histogramOf`) then cover the whole
   * service, as Prometheus' `sum()` over its instances would.
   */
  metrics(name: ServiceName): Promise<Sample[]>;
  /** The service's last log lines, oldest first. */
  logs(name: ServiceName): readonly string[];
  /**
   * Every decision detection logged about a finding (opened, coalesced, duplicate, suppressed,
   * sample), from every replica and every process since the start, for the fault runs' ledger.
   */
  findingDecisions(): readonly FindingDecision[];
  /** Sends one finding to the findings queue as EventBridge delivers it: the event JSON as the body. */
  sendFinding(finding: unknown): Promise<void>;
  /** Sends many bodies (strings as they are, anything else as JSON), ten per SendMessageBatch. */
  sendFindings(findings: readonly unknown[]): Promise<void>;
  /** SIGKILL, at once. */
  kill(name: ServiceName): Promise<void>;
  /** SIGTERM and wait; resolves with the exit code. */
  terminate(name: ServiceName, graceMs?: number): Promise<number | null>;
  /** Starts the service again on its port (extra environment optional) and waits until it is ready. */
  start(name: ServiceName, env?: NodeJS.ProcessEnv): Promise<void>;
  /** Re-creates queues, table, bucket and topic (after an emulator lost its state). */
  rebootstrap(): Promise<BootstrapResult>;
  /** Every service alive, `/healthz` and `/readyz` answering 200; the failures otherwise. */
  health(): Promise<string[]>;
  stop(): Promise<void>;
}

const LOG_LINES_KEPT = 400;

/**
 * Bootstraps the account (queues, table, bucket, notifications topic), starts local notification
 * receivers and the testkit's identity provider (the coordinator's operator API runs in OIDC mode, as
 * in production: decisions are a person's, so the two-person rule can be met), then the five services as separate processes from their real entry points, and waits
 * until each answers `/readyz`. Tuned for tests: short long-polls, visibility and retry back-off, so a
 * killed service's messages come back in seconds; the blast radius is raised (tests that need it set
 * `IR_MAX_AUTO_CONTAINMENTS` themselves).
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { endpoint, region, account } = options;
  const prefix = options.prefix ?? 'ir';
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const boot = await bootstrap({ prefix, clients, notificationsTopic: `${prefix}-notifications` });
  const receivers = await startNotificationReceivers(clients, boot.topicArn ?? '');
  const idp = await startIdentityProvider();
  const tokens = operatorTokens(idp);
  const decisionSigningKey = randomBytes(32).toString('base64');
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`replicas must be a positive integer: ${replicas}`);
  }
  const indexes = Array.from({ length: replicas }, (_, replica) => replica);
  const ports = new Map<string, number>();
  for (const name of SERVICE_NAMES) {
    for (const replica of indexes) ports.set(`${name}#${replica}`, await freePort());
  }
  const url = (name: ServiceName, replica = 0) => `http://127.0.0.1:${ports.get(`${name}#${replica}`)}`;
  const echo = options.echoLogs ?? process.env.IR_SYSTEM_LOGS === '1';

  const { credentials } = account;
  const common: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: options.serviceEndpoint ?? endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    IR_PREFIX: prefix,
    IR_HOME_ACCOUNT_ID: account.accountId,
    IR_HTTP_HOST: '127.0.0.1',
    IR_WAIT_TIME_SECONDS: '1',
    IR_VISIBILITY_TIMEOUT_SECONDS: '20',
    IR_HEARTBEAT_SECONDS: '5',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '5',
    IR_SHUTDOWN_GRACE_SECONDS: '15',
    LOG_LEVEL: process.env.IR_SYSTEM_LOG_LEVEL ?? 'info',
    ...callLogEnv(),
  };
  // The signing key by its alias: a re-bootstrap after an emulator restart makes a new key behind the
  // same alias, while the first key's ARN would be gone.
  const signingKey = `alias/${prefix}-evidence-signing`;
  const perService: Record<ServiceName, NodeJS.ProcessEnv> = {
    // Held re-emissions go out after 10 s rather than 60, like the other timings shortened here.
    detection: { IR_REEMISSION_FORWARD_SECONDS: '10' },
    'response-coordinator': {
      // OIDC, trusting the local identity provider: its demo operators are distinct people, which the
      // two-person rule needs (the static-token mode has one identity, `local-dev-token`). Groups map
      // to roles through the coordinator's default IR_OIDC_ROLE_MAP, which the demo operators follow.
      IR_ENV: 'test',
      IR_AUTH_MODE: 'oidc',
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
      // One decision signing key for the whole run: a coordinator restarted (or killed and started
      // again) must verify the decisions its predecessor published.
      IR_DECISION_SIGNING_KEY: decisionSigningKey,
      IR_TABLE: boot.tableName,
      IR_MAX_AUTO_CONTAINMENTS: '1000',
      IR_SWEEP_INTERVAL_SECONDS: '10',
      // Used when a test gives the coordinator IR_EVIDENCE_BUCKET (report verification).
      IR_EVIDENCE_SIGNING_KEY: signingKey,
    },
    // Read only: contain.s3-object-delete checks the evidence copy first. No Kubernetes API exists
    // here (none installs from our registries): the in-cluster EKS steps are skipped, saying why.
    isolator: { IR_EVIDENCE_BUCKET: boot.bucketName, IR_EKS_KUBERNETES_API: 'unavailable' },
    forensics: {
      IR_EVIDENCE_BUCKET: boot.bucketName,
      IR_EVIDENCE_SIGNING_KEY: signingKey,
      IR_EVIDENCE_LOCK_MODE: 'GOVERNANCE',
      IR_EVIDENCE_RETENTION_DAYS: '1',
      // moto lacks SSM DescribeInstanceInformation: volatile collection is skipped, saying why.
      IR_SSM_INVENTORY: 'unavailable',
    },
    notifier: receivers.notifierEnv,
  };
  const envOf = (name: ServiceName, replica: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...common,
    ...perService[name],
    ...options.env?.all,
    ...options.env?.[name],
    ...extra,
    IR_HTTP_PORT: String(ports.get(`${name}#${replica}`)),
  });

  const processes = new Map<string, ServiceProcess>();
  const lines = new Map<string, string[]>();
  const decisions: FindingDecision[] = [];
  const expectedExit = new Set<ServiceProcess>();
  const unexpectedExits: UnexpectedExit[] = [];
  const launch = (name: ServiceName, replica: number, extra?: NodeJS.ProcessEnv) => {
    const id = `${name}#${replica}`;
    const kept = lines.get(id) ?? [];
    lines.set(id, kept);
    const tag = replicas > 1 ? id : name;
    const service = startServiceProcess({
      name,
      from: options.fromBuild ? 'build' : 'source',
      env: envOf(name, replica, extra),
      onLine: (line) => {
        kept.push(line);
        const decision = name === 'detection' ? findingDecisionOf(line) : undefined;
        if (decision) decisions.push(decision);
        if (kept.length > LOG_LINES_KEPT) kept.shift();
        if (echo) process.stderr.write(`[${tag}] ${line}\n`);
      },
    });
    processes.set(id, service);
    void service.exited.then((code) => {
      if (!expectedExit.has(service)) {
        unexpectedExits.push({
          name,
          replica,
          code,
          signal: service.child.signalCode,
          lastLines: kept.slice(-40),
        });
      }
    });
    return service;
  };
  const current = (name: ServiceName, replica = 0) => {
    const service = processes.get(`${name}#${replica}`);
    if (!service) throw new Error(`${name} (replica ${replica}) was never started`);
    return service;
  };

  const system: RunningSystem = {
    accountId: account.accountId,
    region,
    clients,
    boot,
    api: coordinatorApi(url('response-coordinator'), () => tokens('responder')),
    apiAs: (name) => coordinatorApi(url('response-coordinator'), () => tokens(name)),
    operatorToken: tokens,
    issuer: idp.issuer,
    receivers,
    unexpectedExits,
    url: (name) => url(name),
    urls: (name) => indexes.map((replica) => url(name, replica)),
    pid: (name) => current(name).child.pid ?? -1,
    pids: (name) => indexes.map((replica) => current(name, replica).child.pid ?? -1),
    async metrics(name) {
      const scraped = await Promise.all(indexes.map((replica) => scrapeMetrics(url(name, replica))));
      return scraped.flat();
    },
    logs: (name) => lines.get(`${name}#0`) ?? [],
    findingDecisions: () => decisions,
    async sendFinding(finding) {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: boot.queues.findings.url, MessageBody: bodyOf(finding) }),
      );
    },
    async sendFindings(findings) {
      for (let start = 0; start < findings.length; start += 10) {
        const batch = findings.slice(start, start + 10);
        const output = await clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: boot.queues.findings.url,
            Entries: batch.map((finding, index) => ({ Id: String(index), MessageBody: bodyOf(finding) })),
          }),
        );
        if (output.Failed?.length) {
          throw new Error(
            `SendMessageBatch refused ${output.Failed.length}: ${JSON.stringify(output.Failed)}`,
          );
        }
      }
    },
    async kill(name) {
      const service = current(name);
      expectedExit.add(service);
      await service.kill();
    },
    async terminate(name, graceMs = 30_000) {
      const service = current(name);
      expectedExit.add(service);
      return service.stop(graceMs);
    },
    async start(name, extra) {
      const running = processes.get(`${name}#0`);
      if (running && running.child.exitCode === null && running.child.signalCode === null) {
        throw new Error(`${name} is still running (pid ${running.child.pid})`);
      }
      launch(name, 0, extra);
      await waitReady([url(name)], current(name));
    },
    rebootstrap: () => bootstrap({ prefix, clients, notificationsTopic: `${prefix}-notifications` }),
    async health() {
      const problems: string[] = [];
      for (const name of SERVICE_NAMES) {
        for (const replica of indexes) {
          const label = replica === 0 ? name : `${name} (replica ${replica})`;
          const service = current(name, replica);
          if (service.child.exitCode !== null || service.child.signalCode !== null) {
            problems.push(`${label} is not running`);
            continue;
          }
          for (const path of ['/healthz', '/readyz']) {
            const base = url(name, replica);
            const status = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) }).then(
              (response) => response.status,
              () => 0,
            );
            if (status !== 200) problems.push(`${label} ${path} answered ${status}`);
          }
        }
      }
      return problems;
    },
    async stop() {
      for (const service of processes.values()) expectedExit.add(service);
      await Promise.all([...processes.values()].map((service) => service.stop(20_000)));
      await receivers.stop();
      await idp.stop();
      clients.destroy();
    },
  };

  for (const name of SERVICE_NAMES) for (const replica of indexes) launch(name, replica);
  try {
    await Promise.all(
      SERVICE_NAMES.flatMap((name) =>
        indexes.map((replica) => waitReady([url(name, replica)], current(name, replica))),
      ),
    );
  } catch (error: unknown) {
    await system.stop();
    throw error;
  }
  return system;
}

function bodyOf(finding: unknown): string {
  return typeof finding === 'string' ? finding : JSON.stringify(finding);
}

/** Waits for `/readyz` to answer 200; fails early, with its last lines, if the process exits. */
async function waitReady(
  urls: readonly string[],
  service: ServiceProcess,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const base of urls) {
    for (;;) {
      if (service.child.exitCode !== null || service.child.signalCode !== null) {
        throw new Error(`${service.name} exited (code ${service.child.exitCode}) before it was ready`);
      }
      const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline)
        throw new Error(`${service.name} not ready at ${base} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
