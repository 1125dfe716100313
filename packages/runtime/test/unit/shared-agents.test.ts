import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClientFactory } from '../../src/index.js';

/**
 * A local endpoint that answers every AWS JSON-protocol call with `{}` and records, per request, the
 * socket it arrived on: the connections the SDK clients really opened.
 */
async function jsonEndpoint(answer = true) {
  const requests: Array<{ target: string; socket: Socket }> = [];
  const connections: Socket[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    requests.push({ target: String(request.headers['x-amz-target']), socket: request.socket });
    request.resume();
    request.on('end', () => {
      if (!answer) return;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  server.on('connection', (socket: Socket) => connections.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = () => {
    for (const socket of connections) socket.destroy();
    server.close();
  };
  return { endpoint: `http://127.0.0.1:${port}`, requests, connections, close };
}

/** Obviously fake keys, made per run (the endpoint checks no signature). */
const fakeCredentials = () => ({
  accessKeyId: `AKIATEST${randomBytes(6).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(20).toString('hex'),
});

const factoryFor = (endpoint: string, requestTimeoutMs?: number) =>
  createAwsClientFactory({
    serviceName: 'test',
    region: 'us-east-1',
    endpoint,
    credentials: fakeCredentials(),
    homeAccountId: '111111111111',
    maxAttempts: 1,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });

describe('one HTTP agent per service (client factory)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("gives every client of a factory the same connection pool, which one client's destroy does not close", async () => {
    // Prepare
    const server = await jsonEndpoint();
    cleanups.push(server.close);
    const aws = factoryFor(server.endpoint);
    const sqs = await aws.client(SQSClient);
    const organizations = await aws.client(OrganizationsClient);

    // Act: calls of two different clients, one after another, then one client destroyed (as a
    // service's onStop destroys its DynamoDB client) and the other still calling
    await sqs.send(new ListQueuesCommand({}));
    await organizations.send(new ListAccountsCommand({}));
    sqs.destroy();
    await organizations.send(new ListAccountsCommand({}));

    // Assess: all three requests arrived, over the one keep-alive connection the clients share
    expect(server.requests.map((request) => request.target)).toEqual([
      'AmazonSQS.ListQueues',
      'AWSOrganizationsV20161128.ListAccounts',
      'AWSOrganizationsV20161128.ListAccounts',
    ]);
    expect(server.connections).toHaveLength(1);
    expect(new Set(server.requests.map((request) => request.socket)).size).toBe(1);
  });

  it('gives another factory (another service) its own pool', async () => {
    // Prepare
    const server = await jsonEndpoint();
    cleanups.push(server.close);
    const first = await factoryFor(server.endpoint).client(SQSClient);
    const second = await factoryFor(server.endpoint).client(SQSClient);

    // Act
    await first.send(new ListQueuesCommand({}));
    await second.send(new ListQueuesCommand({}));

    // Assess: one connection per factory
    expect(server.requests).toHaveLength(2);
    expect(server.connections).toHaveLength(2);
  });

  it('keeps the request time-out on clients that use the shared agents', async () => {
    // Prepare: an endpoint that reads the request and never answers
    const server = await jsonEndpoint(false);
    cleanups.push(server.close);
    const sqs = await factoryFor(server.endpoint, 300).client(SQSClient);

    // Act
    const outcome = await sqs.send(new ListQueuesCommand({})).then(
      () => 'answered',
      (error: unknown) => (error as Error).name,
    );

    // Assess: the socket time-out of AWS_REQUEST_TIMEOUTS still rejects the call
    expect(outcome).toBe('TimeoutError');
    expect(server.requests).toHaveLength(1);
  });
});
