import type { CommandApproval, PayloadOf } from '@ir/contracts';
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
  // The system's evidence bucket, which `contain.s3-object-delete` checks for the evidence copy.
  const config = loadConfig(harness.workerEnv({ IR_EVIDENCE_BUCKET: harness.system.bucketName, ...env }));
  const registry = new Registry();
  await harness.start(createService(config, { ...harness.serviceDeps('isolator-test'), registry }));

  /** Sends one command as the coordinator would, and waits for the isolator's answer. */
  function runStep<T extends IsolatorMessageType>(
    type: T,
    params: ParamsOf<T>,
    options: { dryRun?: boolean; incidentId?: string; approval?: CommandApproval } = {},
  ): Promise<StepAnswer> {
    return harness.runStep('isolator', type, params, options);
  }

  const { endpoint, region, account, clients, system } = harness;
  return { endpoint, region, account, clients, system, config, registry, runStep, stop: harness.stop };
}

/** The payload of a step.succeeded answer; fails the test with the reason otherwise. */
export const succeeded = succeededPayload;

/** The payload of a step.failed answer; fails the test with the answer otherwise. */
export function failed(answer: StepAnswer): PayloadOf<'step.failed'> {
  if (answer.type !== 'step.failed') {
    throw new Error(`expected step.failed, got ${answer.type}: ${JSON.stringify(answer.payload)}`);
  }
  return answer.payload;
}

/**
 * The AWS CLI commands a failed rollback asks an operator to run (`failure.detail.operatorCommands`).
 * Why a test reads them: it then runs the SDK call each one stands for, with the emulator's admin
 * credentials, as the operator would.
 */
export function operatorCommands(payload: PayloadOf<'step.failed'>): string[] {
  const commands = payload.detail?.operatorCommands;
  if (!Array.isArray(commands) || commands.some((command) => typeof command !== 'string')) {
    throw new Error(`step.failed carries no operatorCommands: ${JSON.stringify(payload)}`);
  }
  return commands as string[];
}

/** The value of `--<option>` in a command, single quotes (the only quoting used) removed. */
export function optionOf(command: string, option: string): string {
  const match = new RegExp(`--${option} ('(?:[^']|'\\\\'')*'|\\S+)`).exec(command);
  if (!match?.[1]) throw new Error(`no --${option} in ${command}`);
  const word = match[1];
  return word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
}
