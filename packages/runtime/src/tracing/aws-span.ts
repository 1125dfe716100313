import {
  context as active,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { errorName } from '../errors.js';
import { type MiddlewareHost, serviceLabel } from '../aws/metrics-middleware.js';

/** What the SDK puts on a failed call's error, when AWS answered. */
interface AwsErrorShape {
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** What the SDK puts on a successful call's output. */
interface AwsOutputShape {
  readonly output?: { readonly $metadata?: { readonly httpStatusCode?: number } };
}

/**
 * Wraps every SDK call of `client` in a client span (`sqs.SendMessageBatch`) with `rpc.service`,
 * `rpc.method`, `aws.region` and the HTTP status or error name. Added at the `initialize` step like
 * the call counter, so retries the SDK makes underneath are inside one span; the span is a child of
 * whatever span is active (the handler's), through the async context. Calls made outside any span
 * (receive polls, deletes, metric scrapes) get none: each would be a one-span trace, every 20 s per
 * worker, that explains nothing.
 */
export function addCallSpan(client: MiddlewareHost, tracer: Tracer, region: string): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: unknown) => {
        if (!trace.getSpan(active.active())) return next(args);
        const service = serviceLabel(context.clientName);
        const method = (context.commandName ?? 'unknown').replace(/Command$/, '');
        return tracer.startActiveSpan(
          `${service}.${method}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'rpc.system': 'aws-api',
              'rpc.service': service,
              'rpc.method': method,
              'aws.region': region,
            },
          },
          async (span: Span) => {
            try {
              const result = await next(args);
              const status = (result as AwsOutputShape).output?.$metadata?.httpStatusCode;
              if (status !== undefined) span.setAttribute('http.response.status_code', status);
              return result;
            } catch (error: unknown) {
              const status = (error as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
              if (status !== undefined) span.setAttribute('http.response.status_code', status);
              span.setAttribute('error.type', errorName(error));
              span.setStatus({ code: SpanStatusCode.ERROR });
              throw error;
            } finally {
              span.end();
            }
          },
        );
      },
    { step: 'initialize', name: 'irCallSpan', override: true },
  );
}
