import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, flattened with its service's name. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  /** Milliseconds since the epoch (fractional). */
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly status: number;
}

/** A local OTLP/HTTP trace receiver (`POST /v1/traces`, JSON encoding), for tests and the bench. */
export interface OtlpReceiver {
  /** Base URL to give as `IR_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:43187`. */
  readonly url: string;
  /** Every span received so far, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  /** Export requests refused (not JSON, or not an OTLP trace export). */
  readonly rejected: number;
  stop(): Promise<void>;
}

/** OTLP JSON's AnyValue → a scalar (arrays and maps are not used by our spans: kept as JSON text). */
function scalarOf(value: Record<string, unknown> | undefined): string | number | boolean {
  if (!value) return '';
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  return JSON.stringify(value);
}

type KeyValues = ReadonlyArray<{ key: string; value?: Record<string, unknown> }> | undefined;

const attributesOf = (list: KeyValues) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, scalarOf(value)]));

/** OTLP JSON times are nanoseconds since the epoch, as a decimal string (or a number). */
const nanosToMs = (value: unknown) => Number(BigInt(String(value ?? 0)) / 1000n) / 1000;

/**
 * Parses an `ExportTraceServiceRequest` in OTLP's JSON encoding (ids as hex, times as decimal
 * nanosecond strings, as the OpenTelemetry JS OTLP/HTTP exporter sends them).
 */
export function parseOtlpTraceRequest(body: unknown): ReceivedSpan[] {
  const request = body as {
    resourceSpans?: Array<{
      resource?: { attributes?: KeyValues };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  };
  if (!request || !Array.isArray(request.resourceSpans)) {
    throw new Error('not an OTLP ExportTraceServiceRequest: no resourceSpans array');
  }
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        out.push({
          service,
          traceId: String(span.traceId ?? ''),
          spanId: String(span.spanId ?? ''),
          parentSpanId: String(span.parentSpanId ?? ''),
          name: String(span.name ?? ''),
          kind: Number(span.kind ?? 0),
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          attributes: attributesOf(span.attributes as KeyValues),
          status: Number((span.status as { code?: number } | undefined)?.code ?? 0),
        });
      }
    }
  }
  return out;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a receiver on 127.0.0.1 (a free port) that keeps every span it is sent. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let rejected = 0;
  const refuse = (response: ServerResponse, status: number, message: string) => {
    rejected += 1;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ code: status, message }));
  };
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        refuse(response, 404, `no ${request.method} ${request.url}`);
        return;
      }
      if (!String(request.headers['content-type']).startsWith('application/json')) {
        refuse(response, 415, 'only the JSON encoding of OTLP/HTTP is accepted');
        return;
      }
      try {
        spans.push(...parseOtlpTraceRequest(JSON.parse(await readBody(request))));
      } catch (error: unknown) {
        refuse(response, 400, error instanceof Error ? error.message : String(error));
        return;
      }
      // An empty ExportTraceServiceResponse: every span accepted.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get rejected() {
      return rejected;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
