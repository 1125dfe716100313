import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  emptySuccessResponse,
  type FaultKind,
  type FaultResponse,
  faultResponse,
  internalErrorResponse,
  protocolOf,
  signingService,
} from './aws-error-shapes.js';

/**
 * What a {@link FaultRule} does to a call it selects:
 * - `applied-then-500`: forwards it (the emulator applies it), then answers a 500 `InternalError` /
 *   `InternalFailure` instead of the emulator's answer; the SDK retries the same request.
 * - `applied-then-drop`: forwards it, waits for the emulator's whole answer, then destroys the client's
 *   socket without answering; the SDK sees a reset connection and retries.
 * - `false-success`: does NOT forward it and answers the protocol's empty success
 *   ({@link emptySuccessResponse}); nothing changed, the caller is told it did.
 */
export type FaultRuleMode = 'applied-then-500' | 'applied-then-drop' | 'false-success';

/** Selects calls by AWS operation name (e.g. `ModifyNetworkInterfaceAttribute`, `PutBucketPolicy`). */
export interface FaultRule {
  /** The operation as the proxy names it: X-Amz-Target's suffix, the query `Action`, or S3/REST-JSON's by method and path. */
  readonly operation: string;
  readonly mode: FaultRuleMode;
  /** The signing service (`ec2`, `iam`, `s3`…), when an operation name exists in two services. */
  readonly service?: string;
  /** How many matching calls it takes (default 1); `Number.POSITIVE_INFINITY` for every one. */
  readonly times?: number;
  /** Further selection on the request's path and body (e.g. one ENI's id). */
  readonly where?: (request: { readonly path: string; readonly body: string }) => boolean;
}

/** One call a rule took, as the proxy handled it. */
export interface RuleHit {
  readonly service: string;
  readonly operation: string;
  readonly mode: FaultRuleMode;
  /** For the applied modes: the emulator's status for the call the client never heard about. */
  readonly upstreamStatus?: number;
}

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
  /** Operation-selected faults, checked before `faultRate` (see {@link FaultRule}). */
  readonly rules?: readonly FaultRule[];
  /**
   * Another upstream for some requests, by signing service and path (with query), else undefined.
   * Why: an API the emulator lacks (moto 5.2.5 has no EKS Pod Identity API) is played by a replay
   * server, while the isolator keeps one endpoint, as it has in production.
   */
  readonly upstreamFor?: (request: { readonly service: string; readonly path: string }) => string | undefined;
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
  /** Replaces the operation-selected rules (and forgets how many calls the old ones took). */
  setRules(rules: readonly FaultRule[]): void;
  /** The calls the rules took since the last `setRules`, in order. */
  ruleHits(): readonly RuleHit[];
  /** The calls recorded since the last `clearRecording()` (when `record` is on). */
  recorded(): readonly RecordedCall[];
  clearRecording(): void;
  stop(): Promise<void>;
}

/**
 * A real HTTP proxy for the AWS SDK's requests: it forwards each request to the emulator unchanged,
 * or, for a share of them, answers itself with a throttling error or a 503 shaped as the request's AWS
 * protocol (JSON, REST-JSON, EC2 query, query, S3 REST-XML) so the SDK classifies it as production
 * would. Those random faults are injected before forwarding, so a failed call had no effect, as AWS
 * throttling has none. Operation-selected {@link FaultRule}s play the other two lies a network can
 * tell: applied then lost (500 or a dropped connection after the emulator applied the call) and false
 * success (200 without forwarding).
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
  let rules = (options.rules ?? []).map((rule) => ({ rule, left: rule.times ?? 1 }));
  let hits: RuleHit[] = [];

  /** Where a request goes: `upstreamFor`'s answer, else the emulator. */
  function targetOf(service: string, path: string): URL {
    const other = options.upstreamFor?.({ service, path });
    return other ? new URL(other) : upstream;
  }

  /** The first rule with calls left that selects this request, which it then takes. */
  function takeRule(service: string, operation: string, path: string, body: Buffer): FaultRule | undefined {
    const entry = rules.find(
      ({ rule, left }) =>
        left > 0 &&
        rule.operation === operation &&
        (rule.service === undefined || rule.service === service) &&
        (rule.where === undefined || rule.where({ path, body: body.toString('utf8') })),
    );
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.rule;
  }

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const service = signingService(incoming.headers);
      const operation = operationOf(incoming, body, service);
      const rule = takeRule(service, operation, incoming.url ?? '/', body);
      if (rule) {
        await applyRule(rule, service, operation, body, incoming, outgoing);
        return;
      }
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
      const target = targetOf(service, incoming.url ?? '/');
      const proxied = httpRequest(upstreamRequest(target, agent, incoming), (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const answerBody = Buffer.concat(chunks);
          if (options.record) {
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
      });
      proxied.on('error', (error) => {
        upstreamErrors += 1;
        if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`emulator unreachable: ${error.message}`);
      });
      proxied.end(body);
    })();
  });

  /** Plays one rule's fault on one call (see {@link FaultRuleMode}). */
  async function applyRule(
    rule: FaultRule,
    service: string,
    operation: string,
    body: Buffer,
    incoming: IncomingMessage,
    outgoing: ServerResponse,
  ): Promise<void> {
    const protocol = protocolOf(incoming.headers, service);
    const answer = (response: FaultResponse) => {
      outgoing.writeHead(response.status, {
        ...response.headers,
        'content-length': Buffer.byteLength(response.body),
      });
      outgoing.end(response.body);
    };
    if (rule.mode === 'false-success') {
      hits.push({ service, operation, mode: rule.mode });
      answer(emptySuccessResponse(protocol, operation, randomUUID()));
      return;
    }
    // Applied: the emulator gets the call and answers in full before the client is lied to.
    forwarded += 1;
    let upstreamStatus: number;
    try {
      upstreamStatus = await forwardAndDiscard(targetOf(service, incoming.url ?? '/'), agent, incoming, body);
    } catch (error: unknown) {
      upstreamErrors += 1;
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`emulator unreachable: ${(error as Error).message}`);
      return;
    }
    hits.push({ service, operation, mode: rule.mode, upstreamStatus });
    if (rule.mode === 'applied-then-500') answer(internalErrorResponse(protocol, randomUUID()));
    else incoming.socket.destroy();
  }

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
    setRules(next) {
      rules = next.map((rule) => ({ rule, left: rule.times ?? 1 }));
      hits = [];
    },
    ruleHits: () => hits,
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

/** The incoming request as sent on to `target`, unchanged but for its Host. */
function upstreamRequest(target: URL, agent: Agent, incoming: IncomingMessage): RequestOptions {
  return {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: incoming.method,
    path: incoming.url,
    headers: { ...incoming.headers, host: target.host },
    agent,
  };
}

/** Sends the request to the emulator and reads its whole answer; resolves with the answer's status. */
function forwardAndDiscard(
  target: URL,
  agent: Agent,
  incoming: IncomingMessage,
  body: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const proxied = httpRequest(upstreamRequest(target, agent, incoming), (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
      answer.on('error', reject);
    });
    proxied.on('error', reject);
    proxied.end(body);
  });
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

/**
 * The API operation: X-Amz-Target's suffix, the query `Action`, S3's and the REST-JSON services'
 * (Lambda, EKS) by method, path and sub-resource.
 */
export function operationOf(incoming: IncomingMessage, body: Buffer, service: string): string {
  const target = incoming.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').at(-1) ?? target;
  const method = incoming.method ?? 'GET';
  const url = new URL(incoming.url ?? '/', 'http://x');
  const segments = url.pathname.split('/').filter(Boolean);
  if (service === 's3') return s3Operation(method, segments.length > 1, url.searchParams, incoming.headers);
  if (service === 'lambda') return lambdaOperation(method, segments) ?? `${method} ${url.pathname}`;
  if (service === 'eks') return eksOperation(method, segments) ?? `${method} ${url.pathname}`;
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return action ?? new URL(incoming.url ?? '/', 'http://x').searchParams.get('Action') ?? 'unknown';
}

/** S3 sub-resources the proxy names, and the operation-name stem of each (bucket or object level). */
const S3_SUB_RESOURCES: readonly [string, string, string][] = [
  ['policy', 'BucketPolicy', 'BucketPolicy'],
  ['publicAccessBlock', 'PublicAccessBlock', 'PublicAccessBlock'],
  ['tagging', 'BucketTagging', 'ObjectTagging'],
  ['versioning', 'BucketVersioning', 'BucketVersioning'],
  ['acl', 'BucketAcl', 'ObjectAcl'],
  ['object-lock', 'ObjectLockConfiguration', 'ObjectLockConfiguration'],
];

function s3Operation(
  method: string,
  isObject: boolean,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
): string {
  const verb = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' }[method] ?? method;
  for (const [key, bucketStem, objectStem] of S3_SUB_RESOURCES) {
    if (query.has(key)) return `${verb}${isObject ? objectStem : bucketStem}`;
  }
  if (query.has('versions')) return 'ListObjectVersions';
  if (query.has('delete')) return 'DeleteObjects';
  if (isObject) {
    if (method === 'PUT' && headers['x-amz-copy-source']) return 'CopyObject';
    return `${verb}Object`;
  }
  if (method === 'GET') return 'ListObjects';
  if (method === 'PUT') return 'CreateBucket';
  return `${verb}Bucket`;
}

/** Lambda's REST paths (`/2015-03-31/functions/{name}/…`, `/2017-10-31/…/concurrency`). */
function lambdaOperation(method: string, segments: readonly string[]): string | undefined {
  const [, collection, , sub] = segments;
  if (collection === 'event-source-mappings') {
    return {
      GET: segments.length > 2 ? 'GetEventSourceMapping' : 'ListEventSourceMappings',
      PUT: 'UpdateEventSourceMapping',
    }[method];
  }
  if (collection === 'tags') return { POST: 'TagResource', DELETE: 'UntagResource', GET: 'ListTags' }[method];
  if (collection !== 'functions') return undefined;
  if (sub === 'concurrency') {
    return { PUT: 'PutFunctionConcurrency', DELETE: 'DeleteFunctionConcurrency' }[method];
  }
  if (sub === 'configuration')
    return { GET: 'GetFunctionConfiguration', PUT: 'UpdateFunctionConfiguration' }[method];
  return undefined;
}

/** EKS's REST paths (`/clusters/{name}/update-config`, `/tags/{arn}`). */
function eksOperation(method: string, segments: readonly string[]): string | undefined {
  const [collection, , sub] = segments;
  if (collection === 'tags')
    return { POST: 'TagResource', DELETE: 'UntagResource', GET: 'ListTagsForResource' }[method];
  if (collection !== 'clusters') return undefined;
  if (sub === 'update-config' && method === 'POST') return 'UpdateClusterConfig';
  if (segments.length === 2 && method === 'GET') return 'DescribeCluster';
  return undefined;
}
