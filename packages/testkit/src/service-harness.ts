import { createLogger, type Logger } from '@ir/runtime';
import { type EmulatorAccount, type EmulatorCredentials, isolatedAccount } from './accounts.js';
import { type BootstrapResult, bootstrap } from './bootstrap.js';
import { type EmulatorClients, emulatorClients } from './clients.js';
import { createStepRunner, type RunStepOptions, type StepRunner } from './step-runner.js';

/** Where the harness builds its system. */
export interface ServiceHarnessOptions {
  /** The emulator's URL: `inject('awsEndpoint')` in a vitest integration test. */
  readonly endpoint: string;
  /** Defaults to `AWS_REGION`, else `us-east-1`. */
  readonly region?: string | undefined;
  /** `IR_PREFIX` of the bootstrapped queues, table and bucket; `ir` by default. */
  readonly prefix?: string | undefined;
  /** Defaults of every step command `runStep` sends (stepId, incidentId, producer, timeouts…). */
  readonly steps?: RunStepOptions | undefined;
}

/** Where a test logger writes: nowhere (level `silent`) or to `onLine`, one JSON line per call. */
export interface TestLoggerOptions {
  readonly level?: string | undefined;
  readonly onLine?: ((line: string) => void) | undefined;
}

/** What a service under test needs from the harness besides its config. */
export interface HarnessServiceDeps {
  readonly credentials: EmulatorCredentials;
  readonly logger: Logger;
}

/** Anything with the services' lifecycle. */
export interface StartableService {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/** A fresh emulated account with the system bootstrapped in it, and what a service test needs there. */
export interface ServiceHarness extends StepRunner {
  readonly endpoint: string;
  readonly region: string;
  readonly account: EmulatorAccount;
  /** Clients acting in the account; destroyed by {@link stop}. */
  readonly clients: EmulatorClients;
  readonly system: BootstrapResult;
  /**
   * The environment every worker test runs with (this account and endpoint, an ephemeral HTTP port,
   * one-second polls, short retries and grace, silent logs), with `overrides` on top.
   */
  workerEnv(overrides?: Readonly<Record<string, string>>): Record<string, string>;
  /** Credentials of the account and a test logger: pass to the service's `createService`. */
  serviceDeps(service: string, log?: TestLoggerOptions): HarnessServiceDeps;
  /** Starts a built service and remembers it, so {@link stop} stops it. */
  start<S extends StartableService>(service: S | Promise<S>): Promise<S>;
  /** Stops every service started through the harness, then destroys the clients. */
  stop(): Promise<void>;
}

/**
 * `{ IR_AWS_CALL_LOG }` when the test run has it set, else nothing: every way tests build a service's
 * environment spreads this, so `IR_AWS_CALL_LOG=<dir> pnpm test` records every AWS call the services
 * make, for the IAM proof (`pnpm iam:prove`).
 */
export function callLogEnv(): Record<string, string> {
  const directory = process.env.IR_AWS_CALL_LOG;
  return directory ? { IR_AWS_CALL_LOG: directory } : {};
}

/**
 * The pino logger of a service under test: silent unless `onLine` is given, which receives every
 * line (tests search logs for secrets or events this way).
 */
export function testLogger(service: string, options: TestLoggerOptions = {}): Logger {
  const { onLine, level = onLine ? 'info' : 'silent' } = options;
  if (!onLine) return createLogger({ service, level });
  return createLogger({
    service,
    level,
    destination: {
      write(chunk: string) {
        onLine(chunk);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
}

/**
 * Sets up what every service's integration tests start from: an account of its own on the emulator
 * (so test files never see each other's queues), the system's queues, table and bucket in it, the
 * common worker env, and a coordinator double (`runStep`) for step workers. Why here: the four
 * services' harnesses repeated it, and drifted (different env, different answer matching).
 */
export async function serviceHarness(options: ServiceHarnessOptions): Promise<ServiceHarness> {
  const { endpoint, prefix = 'ir' } = options;
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const system = await bootstrap({ prefix, clients });
  const steps = createStepRunner({
    sqs: clients.sqs,
    queues: system.queues,
    target: { accountId: account.accountId, region },
    defaults: options.steps ?? {},
  });
  const running: StartableService[] = [];

  return {
    ...steps,
    endpoint,
    region,
    account,
    clients,
    system,
    workerEnv(overrides = {}) {
      return {
        AWS_REGION: region,
        AWS_ENDPOINT_URL: endpoint,
        IR_PREFIX: prefix,
        IR_HOME_ACCOUNT_ID: account.accountId,
        IR_HTTP_HOST: '127.0.0.1',
        IR_HTTP_PORT: '0',
        IR_WAIT_TIME_SECONDS: '1',
        IR_VISIBILITY_TIMEOUT_SECONDS: '30',
        IR_HEARTBEAT_SECONDS: '10',
        IR_RETRY_BASE_SECONDS: '1',
        IR_RETRY_MAX_SECONDS: '2',
        IR_SHUTDOWN_GRACE_SECONDS: '2',
        LOG_LEVEL: 'silent',
        ...callLogEnv(),
        ...overrides,
      };
    },
    serviceDeps(service, log = {}) {
      return { credentials: account.credentials, logger: testLogger(service, log) };
    },
    async start(service) {
      const built = await service;
      running.push(built);
      await built.start();
      return built;
    },
    async stop() {
      await Promise.all(running.splice(0).map((service) => service.stop()));
      clients.destroy();
    },
  };
}
