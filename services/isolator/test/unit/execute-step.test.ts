import { buildMessage } from '@ir/contracts';
import { createAccountPolicy, createLogger, type HandlerContext, type Publishable } from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ContainmentRefusedError } from '../../src/errors.js';
import { executeStep } from '../../src/handlers/execute-step.js';
import type { IsolatorHandlerDeps, IsolatorMessage } from '../../src/handlers/index.js';
import type { ActionHandler } from '../../src/handlers/types.js';
import { createIsolatorMetrics } from '../../src/metrics.js';

const now = () => new Date('2025-01-01T00:00:00.000Z');

function setup() {
  const published: Publishable[] = [];
  const deps: IsolatorHandlerDeps = {
    aws: {} as IsolatorHandlerDeps['aws'],
    config: loadConfig({ IR_STEP_MAX_ATTEMPTS: '3' }),
    now,
    publisher: { publish: async (_queue, messages) => void published.push(...messages) },
    metrics: createIsolatorMetrics(new Registry()),
  };
  const command = buildMessage('contain.iam-user', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'test',
    dryRun: false,
    payload: {
      stepId: 's-1',
      action: 'contain.iam-user',
      playbookId: 'p',
      target: { accountId: '111122223333', region: 'eu-west-1' },
      timeoutSeconds: 60,
      params: { userName: 'alice' },
    },
  }) as IsolatorMessage;
  const context = (receiveCount: number): HandlerContext => ({
    signal: new AbortController().signal,
    logger: createLogger({ service: 'test', level: 'silent' }),
    message: {},
    receiveCount,
  });
  return { published, deps, command, context };
}

const throttled = Object.assign(new Error('Rate exceeded'), {
  name: 'ThrottlingException',
  $metadata: { httpStatusCode: 400 },
});

describe('executeStep', () => {
  it('publishes step.succeeded with result, pre-state and verification, caused by the command', async () => {
    // Prepare
    const { published, deps, command, context } = setup();
    const action: ActionHandler<unknown> = async () => ({
      result: { done: true },
      preState: { was: 1 },
      verified: { is: 2 },
    });
    // Act
    await executeStep(deps, action, command, context(1));
    // Assess
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'step.succeeded',
      causationId: command.id,
      incidentId: 'inc-1',
      payload: {
        stepId: 's-1',
        action: 'contain.iam-user',
        result: { done: true },
        preState: { was: 1 },
        verified: { is: 2 },
        completedAt: now().toISOString(),
      },
    });
  });

  it('turns a permanent failure into step.failed with an actionable reason and does not throw', async () => {
    // Prepare
    const { published, deps, command, context } = setup();
    const denied = Object.assign(new Error('not authorized to perform iam:PutUserPolicy'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    // Act
    await executeStep(deps, async () => Promise.reject(denied), command, context(1));
    await executeStep(
      deps,
      async () => Promise.reject(new ContainmentRefusedError('root; a person must act')),
      command,
      context(1),
    );
    // Assess
    expect(published.map((m) => m.type)).toEqual(['step.failed', 'step.failed']);
    const [first, second] = published as unknown as {
      payload: { reason: string; errorName: string; retryable: boolean };
    }[];
    expect(first?.payload).toMatchObject({ errorName: 'AccessDenied', retryable: false });
    expect(first?.payload.reason).toMatch(/account 111122223333.*isolator-policy\.json/);
    expect(second?.payload.errorName).toBe('ContainmentRefusedError');
  });

  it('rethrows throttling for the queue to retry, and reports step.failed on the last allowed attempt', async () => {
    // Prepare
    const { published, deps, command, context } = setup();
    const action: ActionHandler<unknown> = async () => Promise.reject(throttled);
    // Act / Assess
    await expect(executeStep(deps, action, command, context(1))).rejects.toBe(throttled);
    expect(published).toHaveLength(0);
    await executeStep(deps, action, command, context(3));
    expect(published[0]).toMatchObject({
      type: 'step.failed',
      payload: { errorName: 'ThrottlingException' },
    });
    expect(JSON.stringify(published[0])).toContain('gave up after 3 attempts');
  });

  it('refuses an account that is not allowed before running the action, with step.failed naming it', async () => {
    // Prepare: the command targets 111122223333, which is neither our account nor listed.
    const { published, deps, command, context } = setup();
    let acted = false;
    const action: ActionHandler<unknown> = async () => {
      acted = true;
      return { result: {} };
    };
    const accounts = createAccountPolicy({
      homeAccountId: async () => '999999999999',
      allowed: [],
      source: 'list',
    });
    // Act
    await executeStep({ ...deps, accounts }, action, command, context(1));
    // Assess
    expect(acted).toBe(false);
    expect(published[0]).toMatchObject({
      type: 'step.failed',
      payload: { errorName: 'AccountNotAllowedError' },
    });
    expect(JSON.stringify(published[0])).toContain('111122223333 is not in IR_ALLOWED_ACCOUNTS');
  });
});
