import { randomUUID } from 'node:crypto';
import {
  type AwsEndpointSettings,
  createPublisher,
  createQueueService,
  createRuntime,
  type Logger,
  type QueueService,
  resolveQueueUrls,
} from '@ir/runtime';
import type { Registry } from 'prom-client';
import type { IsolatorConfig } from './config.js';
import { createIsolatorWorker } from './worker.js';

/** What tests (and only tests) replace. */
export interface IsolatorDeps {
  readonly credentials?: AwsEndpointSettings['credentials'];
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/**
 * Builds the isolator: runtime, publisher to the coordinator queue, the step worker over the action
 * table, and the queue service on `${IR_PREFIX}-isolator`.
 */
export async function createService(config: IsolatorConfig, deps: IsolatorDeps = {}): Promise<QueueService> {
  const runtime = await createRuntime('isolator', config, {
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const urls = await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, ['coordinator']);
  const worker = createIsolatorWorker({
    config,
    aws: runtime.aws,
    publisher: createPublisher(runtime.sqs, urls),
    registry: runtime.metrics.registry,
    accounts: runtime.accounts,
    now: deps.now,
    newId: deps.newId ?? randomUUID,
  });
  return createQueueService({
    name: 'isolator',
    config,
    runtime,
    queue: 'isolator',
    // One isolation (read-backs, a conversion hold) must not hold back those received with it.
    receiveLoops: 'per-slot',
    parse: worker.parse,
    handle: worker.handle,
  });
}
