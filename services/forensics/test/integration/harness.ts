import { randomUUID } from 'node:crypto';
import type { ParamsOf, QueueService } from '@ir/runtime';
import { serviceHarness, type StepAnswer } from '@ir/testkit';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { EvidenceType } from '../../src/handlers/types.js';
import { createService, type ForensicsDeps } from '../../src/service.js';
import { managedInstanceFrom } from '../../src/volatile/managed-instance.js';

/** A step result as the coordinator receives it. */
export type StepResult = StepAnswer;

/**
 * A fresh emulated account with the system's queues and evidence bucket, and the forensics service
 * running against it. moto does not implement SSM DescribeInstanceInformation, so the managed-instance
 * look-up is replaced (by default: every instance is an Online Linux managed instance).
 */
export async function forensicsFixture(
  overrides: Partial<ForensicsDeps> & { env?: Record<string, string> } = {},
) {
  const incidentId = `inc-${randomUUID().slice(0, 8)}`;
  const harness = await serviceHarness({
    endpoint: inject('awsEndpoint'),
    steps: { producer: 'test', playbookId: 'test-playbook', timeoutSeconds: 300, answerTimeoutMs: 45_000 },
  });
  const { env, ...deps } = overrides;
  const config = loadConfig(
    harness.workerEnv({
      IR_EVIDENCE_BUCKET: harness.system.bucketName,
      IR_EVIDENCE_SIGNING_KEY: harness.system.signingKeyArn,
      IR_SSM_POLL_SECONDS: '1',
      IR_SSM_COMMAND_TIMEOUT_SECONDS: '30',
      ...env,
    }),
  );
  const service: QueueService = await harness.start(
    createService(config, {
      ...harness.serviceDeps('forensics-test'),
      managedInstance: async (_ssm, instanceId) =>
        managedInstanceFrom(instanceId, {
          PingStatus: 'Online',
          PlatformType: 'Linux',
          AgentVersion: '3.3.0',
        }),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
      ...deps,
    }),
  );

  /** Sends one evidence command and waits for the coordinator to receive its result. */
  function run<T extends EvidenceType>(
    type: T,
    params: ParamsOf<T>,
    options: { stepId?: string; dryRun?: boolean; incidentId?: string } = {},
  ): Promise<StepResult> {
    return harness.runStep('forensics', type, params, {
      stepId: options.stepId ?? type.replace('evidence.', ''),
      incidentId: options.incidentId ?? incidentId,
      correlationId: options.incidentId ?? incidentId,
      dryRun: options.dryRun,
    });
  }

  const { endpoint, region, account, clients, system } = harness;
  /** What `verifyEvidence` checks manifest signatures with: the key the service signs with. */
  const signing = { kms: clients.kms, keyId: system.signingKeyArn };
  return {
    endpoint,
    region,
    account,
    clients,
    system,
    config,
    service,
    incidentId,
    signing,
    run,
    stop: harness.stop,
  };
}

/** The fixture's type. */
export type ForensicsFixture = Awaited<ReturnType<typeof forensicsFixture>>;
