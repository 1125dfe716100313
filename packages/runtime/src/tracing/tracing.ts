import { context, propagation, type Tracer, trace } from '@opentelemetry/api';

/** The tracing of one service: a tracer for its spans, and how to flush them on stop. */
export interface Tracing {
  /** False when `IR_OTLP_ENDPOINT` is unset: the tracer is the API's no-op one and nothing is exported. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Exports the spans still buffered, then stops the exporter. Safe to call twice. */
  shutdown(): Promise<void>;
}

/** Settings of {@link startTracing}. */
export interface TracingSettings {
  /** `service.name` of every span, e.g. `isolator`. */
  readonly serviceName: string;
  /**
   * OTLP/HTTP base URL (`IR_OTLP_ENDPOINT`, e.g. `http://collector:4318`); `/v1/traces` is added
   * unless it is already there. Unset: tracing is off.
   */
  readonly endpoint?: string | undefined;
  /** How long finished spans wait to be sent together; the SDK's default is 5 s. */
  readonly exportDelayMs?: number;
}

const TRACER_NAME = '@ir/runtime';

/** Tracing that records nothing: spans from the API's no-op tracer cost a function call. */
export const disabledTracing: Tracing = {
  enabled: false,
  tracer: trace.getTracer(TRACER_NAME),
  shutdown: async () => {},
};

/** `http://collector:4318` → `http://collector:4318/v1/traces`. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/**
 * Registers, process-wide, what carries a trace across async calls and across queues: the
 * AsyncLocalStorage context manager and the W3C trace-context propagator. Until then the API's no-ops
 * serve (no context is carried, nothing is injected). Registering again keeps the first.
 */
export async function registerTraceContext(): Promise<void> {
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
  ]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Starts tracing for one service, or returns {@link disabledTracing} when no endpoint is set: then
 * no SDK module is even loaded, so a service that does not trace pays nothing in memory or time.
 *
 * Why the SDK pieces and not `@opentelemetry/sdk-node`: sdk-node loads every exporter (gRPC,
 * protobuf, logs, metrics) at import, about 10 MiB more RSS per service, and registers one global
 * tracer provider per process; here each service has its own provider (tests run several services
 * in one process, each must export under its own `service.name`). Only the context manager and the
 * W3C propagator are process-wide, and registering them again is harmless. No
 * auto-instrumentation: spans are made by the runtime (one per handled message, one per AWS call).
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  if (!settings.endpoint) return disabledTracing;
  const [resources, sdk, otlp] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    registerTraceContext(),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter({ url: tracesUrl(settings.endpoint) }), {
        scheduledDelayMillis: settings.exportDelayMs ?? 1000,
      }),
    ],
  });
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer(TRACER_NAME),
    shutdown() {
      stopping ??= provider.shutdown();
      return stopping;
    },
  };
}
