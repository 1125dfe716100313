import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { type Context, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/** The W3C trace-context fields, carried as SQS message attributes of the same names. */
export const TraceAttribute = { parent: 'traceparent', state: 'tracestate' } as const;

/**
 * The active trace context (the handler span that publishes) as SQS message attributes:
 * `traceparent`, and `tracestate` only when it is not empty, since SQS allows 10 attributes a
 * message. Empty when tracing is off or no span is active, so untraced services send nothing extra.
 */
export function traceAttributes(active: Context = context.active()): Record<string, MessageAttributeValue> {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of [TraceAttribute.parent, TraceAttribute.state]) {
    const value = carrier[name];
    if (value) out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}

/**
 * The trace context a message was sent from, to parent the span that handles it; the root context
 * when it carries none (a finding from EventBridge, a message from an untraced sender).
 */
export function extractTraceContext(message: Pick<Message, 'MessageAttributes'>): Context {
  const carrier: Record<string, string> = {};
  for (const name of [TraceAttribute.parent, TraceAttribute.state]) {
    const value = message.MessageAttributes?.[name]?.StringValue;
    if (value) carrier[name] = value;
  }
  return carrier[TraceAttribute.parent] ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}
