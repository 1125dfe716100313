import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { emulatorClients, eventually } from '@ir/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from '../../src/index.js';
import { parseTestMessage } from '../fixtures/test-parse.js';
import { queueFixture, testTuning } from './harness.js';

/**
 * A pass-through proxy in front of the emulator that can play an outage: while `down`, every
 * connection is dropped, as a restarted emulator or a network partition would.
 */
async function outageProxy(upstream: string) {
  const target = new URL(upstream);
  const state = { down: false, requests: 0 };
  const server: Server = createServer((incoming, outgoing) => {
    state.requests += 1;
    if (state.down) {
      incoming.socket.destroy();
      return;
    }
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('createWorker receive back-off (endpoint outage through a proxy)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('backs off while receives fail, logs the streak once, turns unready, and recovers', async () => {
    // Prepare
    const fixture = await queueFixture();
    const proxy = await outageProxy(fixture.endpoint);
    cleanups.push(proxy.close);
    const clients = emulatorClients({
      endpoint: proxy.url,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
    cleanups.push(() => clients.destroy());
    const handled: number[] = [];
    const queue = fixture.system.queues.findings;
    const settings = { baseMs: 200, maxMs: 1_000, unreadyAfterMs: 1_500 };
    const worker: Worker = createWorker({
      name: 'findings',
      queueUrl: queue.url,
      dlqUrl: queue.dlqUrl,
      sqs: clients.sqs,
      logger: fixture.logger,
      metrics: fixture.metrics,
      parse: parseTestMessage,
      handle: async ({ value }) => {
        handled.push(value.n);
      },
      ...testTuning,
      receiveBackoff: settings,
    });
    cleanups.push(() => worker.stop(1_000));
    worker.start();
    await eventually(() => worker.polling);

    // Act: an outage long enough to turn the worker unready, then the endpoint comes back
    proxy.state.down = true;
    const outageStarted = Date.now();
    const requestsBefore = proxy.state.requests;
    await eventually(() => !worker.polling, 30_000, 'the worker turned unready');
    const outageMs = Date.now() - outageStarted;
    const requestsDuringOutage = proxy.state.requests - requestsBefore;
    proxy.state.down = false;
    await fixture.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"kind":"ok","n":7}' }),
    );
    await eventually(() => handled.length === 1 && worker.polling, 30_000, 'the worker recovered');

    // Assess
    const failures = (await fixture.metrics.receiveErrorsTotal.get()).values[0]?.value ?? 0;
    expect(failures).toBeGreaterThanOrEqual(2);
    // Each failed receive is followed by at least half its back-off step (≥ 100 ms here), so the
    // endpoint saw a bounded number of tries, not a tight loop (the SDK retries each up to 3 times).
    expect(requestsDuringOutage).toBeLessThanOrEqual(3 * (Math.ceil(outageMs / 100) + 1));
    const events = fixture.lines.map((line) => line.msg);
    expect(events.filter((event) => event === 'queue_receive_failed')).toHaveLength(1);
    const recovered = fixture.lines.filter((line) => line.msg === 'queue_receive_recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.failures).toBe(failures);
    expect(handled).toEqual([7]);
  });
});
