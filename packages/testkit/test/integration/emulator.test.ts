import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, DEFAULT_EMULATOR_ACCOUNT_ID, startAwsEmulator } from '../../src/index.js';

/** The environment without the shared emulator, so a second, private moto starts. */
function privateMotoEnv(): NodeJS.ProcessEnv {
  const { AWS_ENDPOINT_URL: _shared, ...env } = process.env;
  return { ...env, IR_AWS_EMULATOR: 'moto' };
}

function sqsAt(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

async function answers(endpoint: string): Promise<boolean> {
  return fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

describe('startAwsEmulator', () => {
  const started: AwsEmulator[] = [];
  afterEach(async () => {
    for (const emulator of started.splice(0)) await emulator.stop();
  });

  it('starts moto on 127.0.0.1, resets its state and stops it', async () => {
    // Prepare
    const emulator = await startAwsEmulator({ env: privateMotoEnv() });
    started.push(emulator);
    const sqs = sqsAt(emulator.endpoint);
    await sqs.send(new CreateQueueCommand({ QueueName: 'before-reset' }));

    // Act
    await emulator.reset();
    const afterReset = await sqs.send(new ListQueuesCommand({}));
    await emulator.stop();

    // Assess
    sqs.destroy();
    expect(emulator.kind).toBe('moto');
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(afterReset.QueueUrls ?? []).toEqual([]);
    expect(await answers(emulator.endpoint)).toBe(false);
  });

  it('adopts AWS_ENDPOINT_URL without owning it', async () => {
    // Prepare
    const owned = await startAwsEmulator({ env: privateMotoEnv() });
    started.push(owned);
    const sqs = sqsAt(owned.endpoint);
    await sqs.send(new CreateQueueCommand({ QueueName: 'kept-until-reset' }));

    // Act
    const adopted = await startAwsEmulator({ env: { AWS_ENDPOINT_URL: `${owned.endpoint}/` } });
    await adopted.stop();
    const afterStop = await sqs.send(new ListQueuesCommand({}));
    await adopted.reset();
    const afterReset = await sqs.send(new ListQueuesCommand({}));

    // Assess
    sqs.destroy();
    expect(adopted).toMatchObject({ kind: 'external', endpoint: owned.endpoint });
    expect(afterStop.QueueUrls).toEqual([
      expect.stringContaining(`${DEFAULT_EMULATOR_ACCOUNT_ID}/kept-until-reset`),
    ]);
    expect(afterReset.QueueUrls ?? []).toEqual([]);
  });
});
