import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * No kube-apiserver is available from our registries: the Kubernetes-side tests run on recorded
 * requests. This server stands in for the API server (over HTTPS, with a CA made for the test run,
 * so the client's CA wiring is exercised) and for the EKS API (over HTTP): it answers each
 * `METHOD path` with recorded responses (test/fixtures/kube, test/fixtures/eks, each naming its
 * source) and records every request the client makes, for the tests to assert on.
 */

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A recorded answer: status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Extra response headers (the EKS API names its error in `x-amzn-errortype`). */
  readonly headers?: Record<string, string>;
}

/**
 * The answers of a route, in order; the last one repeats. A function sees the request (to answer a
 * write with what was sent, as the API server does).
 */
export type Route = Answer | ((request: RecordedRequest) => Answer);

/** A running replay server. */
export interface ReplayServer {
  readonly url: string;
  /** Base64 of the PEM CA the HTTPS server's certificate is signed with (as EKS returns `certificateAuthority.data`). */
  readonly caData: string;
  readonly requests: RecordedRequest[];
  /** Sets the answers of `METHOD path` (replacing earlier ones). */
  on(method: string, path: string, ...answers: Route[]): void;
  close(): Promise<void>;
}

/** A fixture without its `_source` note. */
export function fixture<T = Record<string, unknown>>(relative: string): T {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/${relative}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  const { _source, ...body } = raw;
  return body as T;
}

/** A Status answer (404 not found, 409 already exists, 200 deleted) from the recorded shapes. */
export function status(code: 404 | 409 | 200, kind: string, name: string): Answer {
  const file = code === 404 ? 'status-404.json' : code === 409 ? 'status-409.json' : 'status-deleted.json';
  const text = JSON.stringify(fixture(`kube/${file}`))
    .replaceAll('{kind}', kind)
    .replaceAll('{name}', name);
  return { status: code, body: JSON.parse(text) };
}

/** A self-signed CA-and-server certificate for 127.0.0.1, made by openssl for this run. */
function certificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ir-kube-replay-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a replay server on 127.0.0.1 (HTTPS with its own CA, or plain HTTP for the EKS API). */
export async function startReplayServer(options: { tls: boolean }): Promise<ReplayServer> {
  const routes = new Map<string, Route[]>();
  const requests: RecordedRequest[] = [];
  const tls = options.tls ? certificate() : undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const contentType = request.headers['content-type'];
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: request.headers,
      contentType: contentType?.split(';')[0],
      body: text.length > 0 ? JSON.parse(text) : undefined,
    };
    requests.push(recorded);
    const queue = routes.get(`${recorded.method} ${recorded.path}`);
    const route = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    const answer: Answer = !route
      ? { status: 599, body: { message: `no recorded answer for ${recorded.method} ${recorded.path}` } }
      : typeof route === 'function'
        ? route(recorded)
        : route;
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  }

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: String(error) }));
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    caData: tls ? Buffer.from(tls.cert).toString('base64') : '',
    requests,
    on(method, path, ...answers) {
      routes.set(`${method} ${path}`, answers);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
