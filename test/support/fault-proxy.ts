import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { faultResponse, type FaultKind, protocolOf, signingService } from './aws-error-shapes.js';

/** Settings of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where requests go: the emulator's base URL. Changeable later with `setUpstream`. */
  readonly upstream: string;
  /** Share of requests (0–1) answered with a fault instead of being forwarded. */
  readonly faultRate?: number;
  /** Random source (tests of the proxy itself pass a fixed one). */
  readonly random?: () => number;
  /** Keep each forwarded request (for replaying an isolation's calls in the benchmark). */
  readonly record?: boolean;
}

/** One request the proxy forwarded, as it was sent. */
export interface RecordedCall {
  readonly at: number;
  readonly service: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Milliseconds the emulator took to answer. */
  readonly durationMs: number;
  readonly status: number;
  /** For SQS ReceiveMessage: whether any message came back (an empty long-poll is idle time). */
  readonly returnedMessages: boolean;
  /**
   * The answer's body for ReceiveMessage (which message it delivered) and for creates (the ids of
   * what they made); empty otherwise.
   */
  readonly answer: string;
}

/** What the proxy did, by fault kind and in total. */
export interface FaultCounts {
  readonly forwarded: number;
  readonly injected: number;
  readonly byKind: Record<FaultKind, number>;
  /** Requests that could not reach the emulator (it was down): answered 502. */
  readonly upstreamErrors: number;
}

/** A running fault-injecting HTTP proxy in front of the emulator. */
export interface FaultProxy {
  readonly url: string;
  counts(): FaultCounts;
  setFaultRate(rate: number): void;
  setUpstream(upstream: string): void;
  /** The calls recorded since the last `clearRecording()` (when `record` is on). */
  recorded(): readonly RecordedCall[];
  clearRecording(): void;
  stop(): Promise<void>;
}

/**
 * A real HTTP proxy for the AWS SDK's requests: it forwards each request to the emulator unchanged,
 * or, for a share of them, answers itself with a throttling error or a 503 shaped as the request's AWS
 * protocol (JSON, EC2 query, query, S3 REST-XML) so the SDK classifies it as production would. Faults
 * are injected before forwarding, so a failed call had no effect, as AWS throttling has none.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let upstream = new URL(options.upstream);
  let faultRate = options.faultRate ?? 0;
  const random = options.random ?? Math.random;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const byKind: Record<FaultKind, number> = { throttling: 0, unavailable: 0 };
  let forwarded = 0;
  let upstreamErrors = 0;
  let recording: RecordedCall[] = [];

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const service = signingService(incoming.headers);
      if (random() < faultRate) {
        const kind: FaultKind = random() < 0.5 ? 'throttling' : 'unavailable';
        byKind[kind] += 1;
        const fault = faultResponse(protocolOf(incoming.headers, service), kind, randomUUID());
        outgoing.writeHead(fault.status, {
          ...fault.headers,
          'content-length': Buffer.byteLength(fault.body),
        });
        outgoing.end(fault.body);
        return;
      }
      forwarded += 1;
      const started = performance.now();
      const target = upstream;
      const proxied = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host },
          agent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(chunks);
            if (options.record) {
              const operation = operationOf(incoming, body, service);
              recording.push({
                at: Date.now(),
                service,
                operation,
                method: incoming.method ?? 'GET',
                path: incoming.url ?? '/',
                headers: plainHeaders(incoming),
                body,
                durationMs: performance.now() - started,
                status: answer.statusCode ?? 0,
                returnedMessages: answerBody.includes('"Messages"') || answerBody.includes('<Message>'),
                answer: keepsAnswer(operation) ? answerBody.toString('utf8') : '',
              });
            }
          });
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      proxied.on('error', (error) => {
        upstreamErrors += 1;
        if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`emulator unreachable: ${error.message}`);
      });
      proxied.end(body);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    counts: () => ({
      forwarded,
      injected: byKind.throttling + byKind.unavailable,
      byKind: { ...byKind },
      upstreamErrors,
    }),
    setFaultRate(rate) {
      faultRate = rate;
    },
    setUpstream(next) {
      upstream = new URL(next);
      agent.destroy();
    },
    recorded: () => recording,
    clearRecording() {
      recording = [];
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** Whether the recording keeps a call's answer: what a receive delivered, or the ids a create made. */
function keepsAnswer(operation: string): boolean {
  return operation === 'ReceiveMessage' || operation.startsWith('Create');
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function plainHeaders(incoming: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(incoming.headers).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(', ') : String(value),
    ]),
  );
}

/** The API operation: X-Amz-Target's suffix, the query `Action`, or S3's method and path shape. */
function operationOf(incoming: IncomingMessage, body: Buffer, service: string): string {
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').at(-1) ?? target;
  if (service === 's3') {
    const segments = (incoming.url ?? '/').split('?')[0]?.split('/').filter(Boolean) ?? [];
    return `${incoming.method} ${segments.length > 1 ? 'object' : 'bucket'}`;
  }
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return action ?? new URL(incoming.url ?? '/', 'http://x').searchParams.get('Action') ?? 'unknown';
}
