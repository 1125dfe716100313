import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AwsClientFactory, createAwsClientFactory } from './aws/client-factory.js';
import type { AwsEndpointSettings } from './aws/client-config.js';
import { redactConfig, type WorkerEnv } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics, type RuntimeMetrics } from './metrics.js';
import type { WorkerSettings } from './worker/worker.js';

/** What every service builds first: logger, metrics, the AWS client factory and its own SQS client. */
export interface RuntimeDeps {
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly aws: AwsClientFactory;
  /** SQS in our own account and region (the system's queues live there). */
  readonly sqs: SQSClient;
}

/** Overrides for tests: their own log destination, registry or credentials. */
export interface RuntimeOverrides {
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly credentials?: AwsEndpointSettings['credentials'];
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
  const endpoint = {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    credentials: overrides.credentials,
  };
  const aws = createAwsClientFactory({
    ...endpoint,
    serviceName: service,
    memberRoleName: config.IR_MEMBER_ROLE_NAME,
    externalId: config.IR_MEMBER_ROLE_EXTERNAL_ID,
    homeAccountId: config.IR_HOME_ACCOUNT_ID,
    callCounter: metrics.awsCallsTotal,
  });
  const sqs = await aws.client(SQSClient);
  logger.info({ config: redactConfig(config) }, 'config_loaded');
  return { logger, metrics, aws, sqs };
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
> {
  return {
    concurrency: config.IR_WORKER_CONCURRENCY,
    visibilityTimeoutSeconds: config.IR_VISIBILITY_TIMEOUT_SECONDS,
    heartbeatSeconds: config.IR_HEARTBEAT_SECONDS,
    handlerTimeoutMs: config.IR_HANDLER_TIMEOUT_SECONDS * 1000,
    waitTimeSeconds: config.IR_WAIT_TIME_SECONDS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
  };
}
