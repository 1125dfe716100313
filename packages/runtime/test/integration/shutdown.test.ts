import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { eventually, queueDepth } from '@ir/testkit';
import { queueFixture } from './harness.js';

const script = fileURLToPath(new URL('../fixtures/slow-worker.ts', import.meta.url));

describe('graceful shutdown (a real process and a real SIGTERM)', () => {
  it('lets a slow handler finish after SIGTERM, deletes its message and exits 0', async () => {
    // Prepare
    const fixture = await queueFixture();
    const queue = fixture.system.queues.findings;
    const child = spawn(process.execPath, ['--conditions=@ir/source', '--import', 'tsx', script], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: fixture.account.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: fixture.account.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: fixture.account.credentials.sessionToken ?? '',
        IR_HOME_ACCOUNT_ID: fixture.account.accountId,
        IR_TEST_QUEUE_URL: queue.url,
        IR_TEST_DLQ_URL: queue.dlqUrl,
        IR_TEST_HANDLER_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        try {
          events.push((JSON.parse(line) as { msg: string }).msg);
        } catch {
          events.push(line);
        }
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(() => events.includes('service_started'), 30_000);
    await fixture.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"kind":"slow","n":7}' }),
    );
    await eventually(() => events.includes('handler_started'), 15_000);
    // Act
    child.kill('SIGTERM');
    const code = await exited;
    // Assess
    expect(code).toBe(0);
    expect(events.indexOf('shutdown_requested')).toBeLessThan(events.indexOf('handler_finished'));
    expect(events.indexOf('handler_finished')).toBeLessThan(events.indexOf('service_stopped'));
    expect(await queueDepth(fixture.clients.sqs, queue.url)).toBe(0);
    expect(await queueDepth(fixture.clients.sqs, queue.dlqUrl)).toBe(0);
  });
});
