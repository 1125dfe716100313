import type { ParamsOf } from '@ir/runtime';
import { type StepAnswer as TestkitStepAnswer, serviceHarness, succeededPayload } from '@ir/testkit';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import type { IsolatorMessageType } from '../../src/actions/table.js';
import { loadConfig } from '../../src/config.js';
import { createService } from '../../src/service.js';

/** The answer of the isolator to one command. */
export type StepAnswer = TestkitStepAnswer;

/**
 * One emulated account with the system's queues and a running isolator consuming its queue; the test
 * plays the coordinator: it sends commands and reads the answers from the coordinator queue.
 */
export async function isolatorFixture(env: Record<string, string> = {}) {
  const harness = await serviceHarness({
    endpoint: inject('awsEndpoint'),
    steps: {
      incidentId: 'inc-test-1',
      correlationId: 'corr-1',
      producer: 'test-coordinator',
      playbookId: 'test',
      timeoutSeconds: 120,
      answerTimeoutMs: 50_000,
    },
  });
  const config = loadConfig(harness.workerEnv(env));
  const registry = new Registry();
  await harness.start(createService(config, { ...harness.serviceDeps('isolator-test'), registry }));

  /** Sends one command as the coordinator would, and waits for the isolator's answer. */
  function runStep<T extends IsolatorMessageType>(
    type: T,
    params: ParamsOf<T>,
    options: { dryRun?: boolean; incidentId?: string } = {},
  ): Promise<StepAnswer> {
    return harness.runStep('isolator', type, params, options);
  }

  const { endpoint, region, account, clients, system } = harness;
  return { endpoint, region, account, clients, system, config, registry, runStep, stop: harness.stop };
}

/** The payload of a step.succeeded answer; fails the test with the reason otherwise. */
export const succeeded = succeededPayload;
