import type { Counter } from 'prom-client';
import { isThrottling } from '../errors.js';

/** The part of an SDK v3 client the middleware needs (every client has it). */
export interface MiddlewareHost {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware stack is generic over each client's input and output types
  readonly middlewareStack: { add(middleware: any, options: any): void };
}

/** `SQSClient` → `sqs`, `ElasticLoadBalancingV2Client` → `elasticloadbalancingv2`. */
export function serviceLabel(clientName: string | undefined): string {
  return (clientName ?? 'unknown').replace(/Client$/, '').toLowerCase();
}

/**
 * Counts every SDK call in `ir_aws_calls_total{service,operation,outcome}`. Added at the `initialize`
 * step, so one logical call counts once whatever the SDK retried underneath.
 */
export function addCallCounter(
  client: MiddlewareHost,
  counter: Counter<'service' | 'operation' | 'outcome'>,
): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: unknown) => {
        const labels = {
          service: serviceLabel(context.clientName),
          operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        };
        try {
          const output = await next(args);
          counter.inc({ ...labels, outcome: 'success' });
          return output;
        } catch (error: unknown) {
          counter.inc({ ...labels, outcome: isThrottling(error) ? 'throttled' : 'error' });
          throw error;
        }
      },
    { step: 'initialize', name: 'irCallCounter', override: true },
  );
}
