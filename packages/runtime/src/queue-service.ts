import type { Message } from '@aws-sdk/client-sqs';
import type { FastifyInstance } from 'fastify';
import type { WorkerEnv } from './config.js';
import { createHttpServer } from './http/server.js';
import { refreshQueueDepth } from './queue-depth.js';
import { type QueueName, resolveQueue } from './queues.js';
import { type RuntimeDeps, workerTuning } from './runtime.js';
import { createServiceLifecycle, type ServiceLifecycle } from './service.js';
import { createWorker, type HandlerContext, type ParsedMessage, type Worker } from './worker/worker.js';

/** Settings of {@link createQueueService}. */
export interface QueueServiceSettings<T> {
  readonly name: string;
  readonly config: WorkerEnv;
  readonly runtime: RuntimeDeps;
  /** The queue this service consumes. */
  readonly queue: QueueName;
  readonly parse: (message: Message) => ParsedMessage<T>;
  readonly handle: (message: ParsedMessage<T>, context: HandlerContext) => Promise<void>;
  /**
   * `per-slot`: one receive loop per unit of IR_WORKER_CONCURRENCY, for handlers of uneven length
   * (steps take from milliseconds to minutes; an opening decision costs several times a result's), so
   * that one long handler does not hold back the next receive. `one` (default): one loop receiving up
   * to the whole concurrency at once, for short, even handlers (detection), where one receive of many
   * messages saves calls in a storm.
   */
  readonly receiveLoops?: 'one' | 'per-slot';
  /** Extra HTTP routes (the coordinator's API), registered before listening. */
  readonly routes?: (app: FastifyInstance) => Promise<void> | void;
  readonly onStop?: () => Promise<void>;
}

/** A service built by {@link createQueueService}. */
export interface QueueService extends ServiceLifecycle {
  readonly http: FastifyInstance;
  readonly worker: Worker;
}

/**
 * Wires one queue worker, the health/metrics HTTP server and the lifecycle, the same way in every
 * service, so each service's app.ts is only its handlers and their dependencies.
 */
export async function createQueueService<T>(settings: QueueServiceSettings<T>): Promise<QueueService> {
  const { config, runtime } = settings;
  const queue = await resolveQueue(runtime.sqs, config.IR_PREFIX, settings.queue);
  const worker = createWorker<T>({
    ...workerTuning(config),
    pollers: settings.receiveLoops === 'per-slot' ? config.IR_WORKER_CONCURRENCY : 1,
    name: settings.queue,
    queueUrl: queue.url,
    dlqUrl: queue.dlqUrl,
    sqs: runtime.sqs,
    logger: runtime.logger,
    metrics: runtime.metrics,
    parse: settings.parse,
    handle: settings.handle,
    tracer: runtime.tracing.tracer,
  });
  const http = createHttpServer({
    registry: runtime.metrics.registry,
    isLive: () => lifecycle.state !== 'stopped',
    isReady: () => lifecycle.ready,
    logger: runtime.logger,
    beforeScrape: () =>
      refreshQueueDepth(runtime.sqs, runtime.metrics, { name: settings.queue, ...queue }, runtime.logger),
  });
  if (settings.routes) await settings.routes(http);
  const lifecycle = createServiceLifecycle({
    name: settings.name,
    logger: runtime.logger,
    workers: [worker],
    http,
    host: config.IR_HTTP_HOST,
    port: config.IR_HTTP_PORT,
    shutdownGraceMs: config.IR_SHUTDOWN_GRACE_SECONDS * 1000,
    // Buffered spans are exported last, after the workers finished their messages.
    onStop: async () => {
      try {
        await settings.onStop?.();
      } finally {
        await runtime.tracing.shutdown();
      }
    },
  });
  return Object.assign(lifecycle, { http, worker });
}
