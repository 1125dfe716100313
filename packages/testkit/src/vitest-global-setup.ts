import type { TestProject } from 'vitest/node';
import { startAwsEmulator } from './emulator.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** Base URL of the AWS emulator the integration project talks to. */
    awsEndpoint: string;
  }
}

/** Dummy keys for the emulator: moto and LocalStack accept any; they are not secrets. */
const EMULATOR_KEY = 'testing';

/**
 * Vitest global setup of the integration project: starts one AWS emulator for the whole run and
 * points every SDK client at it through the environment (inherited by the test workers), so no test
 * can reach real AWS by forgetting an `endpoint`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startAwsEmulator({ log: (line) => console.log(`[testkit] ${line}`) });
  const region = process.env.AWS_REGION?.trim() || 'us-east-1';
  process.env.AWS_ENDPOINT_URL = emulator.endpoint;
  process.env.AWS_REGION = region;
  if (emulator.kind !== 'external' || !process.env.AWS_ACCESS_KEY_ID) {
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_KEY;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }
  project.provide('awsEndpoint', emulator.endpoint);
  console.log(
    `[testkit] integration tests use the ${emulator.kind} AWS emulator at ${emulator.endpoint} (${region})`,
  );
  return async () => {
    await emulator.stop();
  };
}
