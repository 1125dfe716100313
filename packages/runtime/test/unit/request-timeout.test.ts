import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { baseClientConfig } from '../../src/index.js';

describe('baseClientConfig request time-outs', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('abandons a request to an endpoint that accepts the connection and never answers', async () => {
    // Prepare: a black hole, as a stalled endpoint or a half-open connection behaves
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const sqs = new SQSClient(
      baseClientConfig({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
        maxAttempts: 1,
        requestTimeoutMs: 300,
      }),
    );
    cleanups.push(() => sqs.destroy());

    // Act
    const outcome = await sqs.send(new ListQueuesCommand({})).then(
      () => 'answered',
      (error: unknown) => (error as Error).name,
    );

    // Assess: without a time-out the call would wait forever (and this test would time out)
    expect(outcome).toBe('TimeoutError');
    expect(sockets.length).toBeGreaterThan(0);
  });
});
