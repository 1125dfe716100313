import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { eventually } from '@ir/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createQueueService,
  createRuntime,
  loadConfig,
  type QueueService,
  WorkerEnv,
} from '../../src/index.js';
import { parseTestMessage } from '../fixtures/test-parse.js';
import { queueFixture } from './harness.js';

describe('createQueueService (on the emulator)', () => {
  const services: QueueService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.stop()));
  });

  it('wires worker, HTTP and lifecycle, and reports queue depth and message age on /metrics', async () => {
    // Prepare: one message waiting in the queue, two in its DLQ.
    const fixture = await queueFixture();
    const queue = fixture.system.queues.findings;
    await fixture.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"kind":"ok","n":1}' }),
    );
    for (const n of [1, 2]) {
      await fixture.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: `dead ${n}` }),
      );
    }
    const config = loadConfig(WorkerEnv, {
      AWS_REGION: fixture.region,
      AWS_ENDPOINT_URL: fixture.endpoint,
      IR_HOME_ACCOUNT_ID: fixture.account.accountId,
      IR_HTTP_HOST: '127.0.0.1',
      IR_HTTP_PORT: '0',
      IR_WAIT_TIME_SECONDS: '1',
    });
    const runtime = await createRuntime('test', config, {
      credentials: fixture.account.credentials,
      logger: fixture.logger,
    });
    const handled: number[] = [];
    const service = await createQueueService({
      name: 'test',
      config,
      runtime,
      queue: 'findings',
      parse: parseTestMessage,
      handle: async (message) => {
        handled.push(message.value.n);
      },
    });
    services.push(service);
    // Act
    const { port } = await service.start();
    await eventually(() => handled.length === 1);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // Assess
    expect(metrics).toMatch(/ir_queue_depth\{[^}]*queue="findings"[^}]*kind="dlq"[^}]*\} 2/);
    expect(metrics).toMatch(/ir_message_queue_age_seconds_count\{[^}]*queue="findings"[^}]*\} 1/);
    expect(fixture.lines.some((line) => line.msg === 'config_loaded')).toBe(true);
  });
});
