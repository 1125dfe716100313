import { randomBytes } from 'node:crypto';
import { createTraceState, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  extractTraceContext,
  registerTraceContext,
  TraceAttribute,
  traceAttributes,
  tracesUrl,
} from '../../src/index.js';

/** A sampled span context with fresh random ids, as a sending handler's span would have. */
function sendingContext(traceState?: string) {
  const spanContext = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    ...(traceState ? { traceState: createTraceState(traceState) } : {}),
  };
  return { spanContext, context: trace.setSpanContext(ROOT_CONTEXT, spanContext) };
}

// One file, in order: the first test runs before the process-wide propagator is registered.
describe('trace context in SQS message attributes', () => {
  it('adds nothing while tracing is off (no propagator registered)', () => {
    // Prepare
    const { context } = sendingContext('vendor=abc');
    // Act
    const attributes = traceAttributes(context);
    // Assess
    expect(attributes).toEqual({});
  });

  it('round-trips traceparent and tracestate: the receiver continues the sender’s trace', async () => {
    // Prepare
    await registerTraceContext();
    const { spanContext, context } = sendingContext('vendor=abc');
    // Act
    const attributes = traceAttributes(context);
    const received = trace.getSpanContext(extractTraceContext({ MessageAttributes: attributes }));
    // Assess
    expect(attributes[TraceAttribute.parent]).toEqual({
      DataType: 'String',
      StringValue: `00-${spanContext.traceId}-${spanContext.spanId}-01`,
    });
    expect(attributes[TraceAttribute.state]?.StringValue).toBe('vendor=abc');
    expect(received?.traceId).toBe(spanContext.traceId);
    expect(received?.spanId).toBe(spanContext.spanId);
    expect(received?.isRemote).toBe(true);
    expect(received?.traceState?.get('vendor')).toBe('abc');
  });

  it('sends no tracestate attribute when the trace state is empty (SQS allows 10 attributes)', async () => {
    // Prepare
    await registerTraceContext();
    const { context } = sendingContext();
    // Act
    const attributes = traceAttributes(context);
    // Assess
    expect(Object.keys(attributes)).toEqual([TraceAttribute.parent]);
  });

  it('starts a new trace for a message without, or with a malformed, traceparent', async () => {
    // Prepare
    await registerTraceContext();
    const malformed = {
      MessageAttributes: { traceparent: { DataType: 'String', StringValue: '00-xyz-01' } },
    };
    // Act
    const fromNothing = trace.getSpanContext(extractTraceContext({}));
    const fromMalformed = trace.getSpanContext(extractTraceContext(malformed));
    // Assess
    expect(fromNothing).toBeUndefined();
    expect(fromMalformed).toBeUndefined();
  });

  it('sends to /v1/traces under the configured endpoint', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
  });
});
