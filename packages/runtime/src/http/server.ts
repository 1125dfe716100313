import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** The longest path parameter the server accepts (a step id with its fan-out key). */
export const MAX_PARAM_LENGTH = 512;

/** Settings of {@link createHttpServer}. */
export interface HttpServerSettings {
  readonly registry: Registry;
  /** Liveness: false once the service has stopped. */
  readonly isLive: () => boolean;
  /** Readiness: true only while every consumer polls. */
  readonly isReady: () => boolean;
  readonly logger: Logger;
  /** Runs before each scrape of `/metrics` (e.g. reading queue depths from SQS). */
  readonly beforeScrape?: () => Promise<void>;
}

/**
 * The fastify server every service runs: `/healthz`, `/readyz`, `/metrics`. Services add their own
 * routes (the coordinator's API) through `app.register` before listening.
 */
export function createHttpServer(settings: HttpServerSettings): FastifyInstance {
  const app = Fastify({
    loggerInstance: settings.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Step ids are path parameters of the operator API, and a fanned-out step's id carries its
    // resource's key (up to 120 characters, e.g. an EKS pod's cluster, namespace and name, or a
    // joined sequence's `join-<n>.` prefix): fastify's default of 100 refused those with HTTP 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  // Probes and scrapes arrive every few seconds: their request logs would drown everything else.
  // Other routes (the coordinator's operator API) keep fastify's request logging, an audit trail.
  const quiet = { logLevel: 'warn' } as const;
  app.get('/healthz', quiet, async (_request, reply) =>
    settings.isLive() ? reply.send({ status: 'ok' }) : reply.code(503).send({ status: 'stopped' }),
  );
  app.get('/readyz', quiet, async (_request, reply) =>
    settings.isReady() ? reply.send({ status: 'ready' }) : reply.code(503).send({ status: 'not-ready' }),
  );
  app.get('/metrics', quiet, async (_request, reply) => {
    await settings.beforeScrape?.();
    return reply
      .header('content-type', settings.registry.contentType)
      .send(await settings.registry.metrics());
  });
  return app;
}
