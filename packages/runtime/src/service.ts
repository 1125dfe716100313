import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Worker } from './worker/worker.js';

/** Lifecycle of a service process. */
export const ServiceState = {
  starting: 'starting',
  running: 'running',
  draining: 'draining',
  stopped: 'stopped',
} as const;
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** Settings of {@link createServiceLifecycle}. */
export interface ServiceLifecycleSettings {
  readonly name: string;
  readonly logger: Logger;
  readonly workers: readonly Worker[];
  readonly http: FastifyInstance;
  readonly host: string;
  readonly port: number;
  /** In-flight work gets this long to finish on stop; keep it shorter than the ECS stop timeout. */
  readonly shutdownGraceMs: number;
  /** Run after the workers stopped and before HTTP closes (flush, close clients). */
  readonly onStop?: () => Promise<void>;
}

/** A running service: its workers and its HTTP server, started and stopped together. */
export interface ServiceLifecycle {
  readonly state: ServiceState;
  /** True while every worker polls. */
  readonly ready: boolean;
  /** Starts HTTP then the workers; resolves with the port actually bound (0 picks a free one). */
  start(): Promise<{ port: number }>;
  /** Stops polling, finishes in-flight work within the grace period, closes HTTP. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Explicit states (starting → running → draining → stopped) so `/readyz`, logs and shutdown agree on
 * what the process is doing.
 */
export function createServiceLifecycle(settings: ServiceLifecycleSettings): ServiceLifecycle {
  let state: ServiceState = ServiceState.starting;
  let stopping: Promise<void> | undefined;
  const log = settings.logger;
  return {
    get state() {
      return state;
    },
    get ready() {
      return state === ServiceState.running && settings.workers.every((worker) => worker.polling);
    },
    async start() {
      await settings.http.listen({ host: settings.host, port: settings.port });
      const address = settings.http.server.address();
      const port = typeof address === 'object' && address ? address.port : settings.port;
      for (const worker of settings.workers) worker.start();
      state = ServiceState.running;
      log.info({ port, workers: settings.workers.map((worker) => worker.name) }, 'service_started');
      return { port };
    },
    stop() {
      stopping ??= (async () => {
        state = ServiceState.draining;
        log.info({ graceMs: settings.shutdownGraceMs }, 'service_draining');
        await Promise.all(settings.workers.map((worker) => worker.stop(settings.shutdownGraceMs)));
        await settings.onStop?.();
        await settings.http.close();
        state = ServiceState.stopped;
        log.info('service_stopped');
      })();
      return stopping;
    },
  };
}

/**
 * For `main.ts`: on SIGTERM or SIGINT, stop the service and exit 0; a second signal exits at once.
 * An error while stopping exits 1 so the orchestrator notices.
 */
export function exitOnSignals(
  service: Pick<ServiceLifecycle, 'stop'>,
  logger: Logger,
  exit: (code: number) => void = process.exit,
): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second_signal_exiting_now');
      exit(1);
      return;
    }
    signalled = true;
    logger.info({ signal }, 'shutdown_requested');
    service.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown_failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
