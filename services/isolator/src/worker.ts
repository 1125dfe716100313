import {
  type AccountPolicy,
  type AwsClientFactory,
  createStepMetrics,
  createStepWorker,
  type Publisher,
  type StepWorker,
} from '@ir/runtime';
import type { Registry } from 'prom-client';
import { createActions, type IsolatorMessageType } from './actions/table.js';
import type { IsolatorConfig } from './config.js';

/** Dependencies of {@link createIsolatorWorker}, passed in by `createService` (or a test). */
export interface IsolatorWorkerDeps {
  readonly config: IsolatorConfig;
  readonly aws: AwsClientFactory;
  readonly publisher: Publisher<'coordinator'>;
  /** Receives the step metrics (`ir_step_executions_total`, `ir_step_execution_duration_seconds`, …). */
  readonly registry: Registry;
  /** Refuses accounts that are not allowed before any action (the client factory refuses them too). */
  readonly accounts?: Pick<AccountPolicy, 'assertAllowed'> | undefined;
  readonly now?: (() => Date) | undefined;
  readonly newId?: (() => string) | undefined;
}

/**
 * The isolator's step worker: its action table run by the runtime's step worker, which answers the
 * coordinator with `step.succeeded` or `step.failed` (`producer: isolator`; permission errors name
 * `docs/iam/isolator-policy.json`) and retries transient errors up to `IR_STEP_MAX_ATTEMPTS`.
 */
export function createIsolatorWorker(deps: IsolatorWorkerDeps): StepWorker<IsolatorMessageType> {
  const { config } = deps;
  return createStepWorker({
    service: 'isolator',
    actions: createActions({ config, aws: deps.aws }),
    publisher: deps.publisher,
    aws: deps.aws,
    metrics: createStepMetrics(deps.registry),
    maxAttempts: config.IR_STEP_MAX_ATTEMPTS,
    retryBaseSeconds: config.IR_RETRY_BASE_SECONDS,
    retryMaxSeconds: config.IR_RETRY_MAX_SECONDS,
    accounts: deps.accounts,
    now: deps.now,
    newId: deps.newId,
  });
}
