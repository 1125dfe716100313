import { randomUUID } from 'node:crypto';
import {
  type AwsEndpointSettings,
  createPublisher,
  createQueueService,
  createRuntime,
  envelopeParser,
  type Logger,
  type QueueService,
  resolveQueueUrls,
} from '@ir/runtime';
import type { Registry } from 'prom-client';
import type { IsolatorConfig } from './config.js';
import { createHandlers, isolatorMessageTypes } from './handlers/index.js';
import { createIsolatorMetrics } from './metrics.js';

/** What tests (and only tests) replace. */
export interface IsolatorDeps {
  readonly credentials?: AwsEndpointSettings['credentials'];
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/**
 * Builds the isolator: runtime, publisher to the coordinator queue, handlers, and the queue worker
 * on `${IR_PREFIX}-isolator`.
 */
export async function createService(config: IsolatorConfig, deps: IsolatorDeps = {}): Promise<QueueService> {
  const runtime = await createRuntime('isolator', config, {
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const urls = await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, ['coordinator']);
  const handlers = createHandlers({
    aws: runtime.aws,
    config,
    now: deps.now ?? (() => new Date()),
    newId: deps.newId ?? randomUUID,
    publisher: createPublisher(runtime.sqs, urls),
    metrics: createIsolatorMetrics(runtime.metrics.registry),
    accounts: runtime.accounts,
  });
  return createQueueService({
    name: 'isolator',
    config,
    runtime,
    queue: 'isolator',
    parse: envelopeParser('isolator', isolatorMessageTypes),
    handle: handlers.handle,
  });
}
