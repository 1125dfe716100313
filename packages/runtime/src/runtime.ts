import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AccountPolicy, createAccountPolicy, parseAccountList } from './accounts/allowed-accounts.js';
import { listActiveOrganizationAccounts } from './accounts/organization-accounts.js';
import { createAwsCallLog } from './aws/call-log.js';
import { type AwsClientFactory, createAwsClientFactory, partitionOf } from './aws/client-factory.js';
import type { AwsEndpointSettings } from './aws/client-config.js';
import { redactConfig, type WorkerEnv } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics, type RuntimeMetrics } from './metrics.js';
import { startTracing, type Tracing } from './tracing/tracing.js';
import type { WorkerSettings } from './worker/worker.js';

/** What every service builds first: logger, metrics, the AWS client factory and its own SQS client. */
export interface RuntimeDeps {
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly aws: AwsClientFactory;
  /** SQS in our own account and region (the system's queues live there). */
  readonly sqs: SQSClient;
  /** Which accounts the system may act in (`IR_ALLOWED_ACCOUNTS`); the factory enforces it too. */
  readonly accounts: AccountPolicy;
  /** Spans of handled messages and AWS calls, exported when `IR_OTLP_ENDPOINT` is set; flush on stop. */
  readonly tracing: Tracing;
}

/** Overrides for tests: their own log destination, registry or credentials. */
export interface RuntimeOverrides {
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly credentials?: AwsEndpointSettings['credentials'];
  /** Replaces AWS Organizations ListAccounts (unit tests). */
  readonly listOrganizationAccounts?: () => Promise<readonly string[]>;
}

/**
 * Builds the shared dependencies of a service from its parsed config, and logs the config once with
 * secrets removed. Called from `createService` in each service's app.ts.
 */
export async function createRuntime(
  service: string,
  config: WorkerEnv,
  overrides: RuntimeOverrides = {},
): Promise<RuntimeDeps> {
  const logger =
    overrides.logger ?? createLogger({ service, level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const metrics = createMetrics(service, overrides.registry);
  const tracing = await startTracing({ serviceName: service, endpoint: config.IR_OTLP_ENDPOINT });
  const endpoint = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    credentials: overrides.credentials,
  };
  // The factory asks the policy, and the policy lists the organization through the factory (our own
  // account, so no recursion): hence the late binding.
  let accounts: AccountPolicy | undefined;
  const aws = createAwsClientFactory({
    ...endpoint,
    serviceName: service,
    memberRoleName: config.IR_MEMBER_ROLE_NAME,
    externalId: config.IR_MEMBER_ROLE_EXTERNAL_ID,
    homeAccountId: config.IR_HOME_ACCOUNT_ID,
    callCounter: metrics.awsCallsTotal,
    tracer: tracing.enabled ? tracing.tracer : undefined,
    callLog: config.IR_AWS_CALL_LOG ? createAwsCallLog(config.IR_AWS_CALL_LOG, service) : undefined,
    assertAccountAllowed: (accountId) => (accounts as AccountPolicy).assertAllowed(accountId),
  });
  accounts = createAccountPolicy({
    homeAccountId: () => aws.homeAccountId(),
    allowed: parseAccountList(config.IR_ALLOWED_ACCOUNTS).accounts,
    source: config.IR_ALLOWED_ACCOUNTS_SOURCE,
    cacheTtlMs: config.IR_ALLOWED_ACCOUNTS_CACHE_SECONDS * 1000,
    logger,
    listOrganizationAccounts:
      overrides.listOrganizationAccounts ??
      (async () => {
        // Imported on first use: only IR_ALLOWED_ACCOUNTS_SOURCE=organizations lists accounts, and the
        // SDK package costs every service memory whether it is used or not.
        const { OrganizationsClient } = await import('@aws-sdk/client-organizations');
        // Organizations is global: its endpoint is in us-east-1 in the commercial partition.
        return listActiveOrganizationAccounts(
          await aws.client(OrganizationsClient, {
            region: partitionOf(config.AWS_REGION) === 'aws' ? 'us-east-1' : config.AWS_REGION,
          }),
        );
      }),
  });
  const sqs = await aws.client(SQSClient);
  logger.info({ config: redactConfig(config), allowedAccounts: accounts.describe() }, 'config_loaded');
  return { logger, metrics, aws, sqs, accounts, tracing };
}

/** The worker tuning knobs, straight from the shared config. */
export function workerTuning(
  config: WorkerEnv,
): Pick<
  WorkerSettings<unknown>,
  | 'concurrency'
  | 'visibilityTimeoutSeconds'
  | 'heartbeatSeconds'
  | 'handlerTimeoutMs'
  | 'waitTimeSeconds'
  | 'retryBaseSeconds'
  | 'retryMaxSeconds'
  | 'accountConcurrency'
  | 'accountDeferSeconds'
> {
  return {
    concurrency: config.IR_WORKER_CONCURRENCY,
    visibilityTimeoutSeconds: config.IR_VISIBILITY_TIMEOUT_SECONDS,
    heartbeatSeconds: config.IR_HEARTBEAT_SECONDS,
    handlerTimeoutMs: config.IR_HANDLER_TIMEOUT_SECONDS * 1000,
    waitTimeSeconds: config.IR_WAIT_TIME_SECONDS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
    accountConcurrency: config.IR_ACCOUNT_CONCURRENCY ?? Math.ceil(config.IR_WORKER_CONCURRENCY / 2),
    accountDeferSeconds: config.IR_ACCOUNT_DEFER_SECONDS,
  };
}
