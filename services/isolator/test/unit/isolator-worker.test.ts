import { buildStepCommand } from '@ir/testkit';
import {
  type AwsClientFactory,
  createAccountPolicy,
  createLogger,
  type HandlerContext,
  type Publishable,
} from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isolatorMessageTypes } from '../../src/actions/table.js';
import { loadConfig } from '../../src/config.js';
import { createIsolatorWorker } from '../../src/worker.js';

const now = () => new Date('2025-01-01T00:00:00.000Z');

/** The two actions these tests send: both take `{ userName }`. */
type Action = 'contain.iam-user' | 'contain.remove-login-profile';

/** What the fake SDK client answers to one command, by command name (`GetLoginProfileCommand`). */
type Answer = (input: Record<string, unknown>) => unknown;

/**
 * A client factory whose clients answer from `answers`. A unit test of the wiring has no emulator; the
 * actions themselves are tested against it in test/integration.
 */
function fakeAws(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push(name);
    const answer = answers[name];
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(command.input);
  };
  const aws: AwsClientFactory = {
    client: async () => ({ send, middlewareStack: { add: () => undefined } }) as never,
    homeAccountId: async () => '111122223333',
    memberRoleArn: (accountId) => `arn:aws:iam::${accountId}:role/ir-response`,
  };
  return { aws, calls };
}

function setup(
  answers: Record<string, Answer>,
  options: { accounts?: ReturnType<typeof createAccountPolicy> } = {},
) {
  const published: Publishable[] = [];
  // The protected-tag gate reads the user's tags before every IAM user containment: none here.
  const { aws, calls } = fakeAws({ ListUserTagsCommand: () => ({ Tags: [] }), ...answers });
  const worker = createIsolatorWorker({
    config: loadConfig({ IR_STEP_MAX_ATTEMPTS: '3' }),
    aws,
    publisher: { publish: async (_queue, messages) => void published.push(...messages) },
    registry: new Registry(),
    accounts: options.accounts,
    now,
  });
  /** Delivers one command, built as the coordinator would, on delivery `receiveCount`. */
  const run = (action: Action, { receiveCount = 1, userName = 'alice' } = {}) => {
    const value = buildStepCommand(
      action,
      { userName },
      {
        incidentId: 'inc-1',
        correlationId: 'corr-1',
        producer: 'test',
        stepId: 's-1',
        playbookId: 'p',
        target: { accountId: '111122223333', region: 'eu-west-1' },
        timeoutSeconds: 60,
        now,
      },
    );
    const context: HandlerContext = {
      signal: new AbortController().signal,
      logger: createLogger({ service: 'test', level: 'silent' }),
      message: {},
      receiveCount,
    };
    return { value, done: worker.handle({ value, type: value.type }, context) };
  };
  return { published, calls, worker, run };
}

const throttled = Object.assign(new Error('Rate exceeded'), {
  name: 'ThrottlingException',
  $metadata: { httpStatusCode: 400 },
});

const noSuchEntity = () =>
  Object.assign(new Error('not found'), {
    name: 'NoSuchEntityException',
    $metadata: { httpStatusCode: 404 },
  });

describe('createIsolatorWorker', () => {
  it('executes every contain.* and rollback.* type, and parses only those', () => {
    // Prepare
    const { worker } = setup({});
    // Act / Assess
    expect([...worker.types].sort()).toEqual([...isolatorMessageTypes].sort());
  });

  it('publishes step.succeeded with result, pre-state and verification, caused by the command', async () => {
    // Prepare: a console password exists, is deleted, and is gone on read-back.
    let profile = true;
    const { published, run } = setup({
      GetLoginProfileCommand: () => {
        if (!profile) throw noSuchEntity();
        return { LoginProfile: { UserName: 'alice', CreateDate: new Date('2024-06-01T00:00:00.000Z') } };
      },
      DeleteLoginProfileCommand: () => {
        profile = false;
        return {};
      },
    });
    // Act
    const { value, done } = run('contain.remove-login-profile');
    await done;
    // Assess
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'step.succeeded',
      producer: 'isolator',
      causationId: value.id,
      incidentId: 'inc-1',
      payload: {
        stepId: 's-1',
        action: 'contain.remove-login-profile',
        result: { userName: 'alice', removed: true },
        preState: { userName: 'alice', hadLoginProfile: true, restorable: false },
        verified: { loginProfile: 'absent' },
        completedAt: now().toISOString(),
      },
    });
  });

  it('turns a permanent failure into step.failed with an actionable reason and does not throw', async () => {
    // Prepare: IAM refuses the response role; and `root` is refused before any call.
    const denied = Object.assign(new Error('not authorized to perform iam:GetUser'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const { published, run } = setup({
      GetUserCommand: () => {
        throw denied;
      },
    });
    // Act
    await run('contain.iam-user').done;
    await run('contain.iam-user', { userName: 'root' }).done;
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
    // Prepare: IR_STEP_MAX_ATTEMPTS=3, and IAM throttles every call.
    const { published, run } = setup({
      GetUserCommand: () => {
        throw throttled;
      },
    });
    // Act / Assess
    await expect(run('contain.iam-user', { receiveCount: 1 }).done).rejects.toBe(throttled);
    expect(published).toHaveLength(0);
    await run('contain.iam-user', { receiveCount: 3 }).done;
    expect(published[0]).toMatchObject({
      type: 'step.failed',
      payload: { errorName: 'ThrottlingException' },
    });
    expect(JSON.stringify(published[0])).toContain('gave up after 3 attempts');
  });

  it('refuses an account that is not allowed before running the action, with step.failed naming it', async () => {
    // Prepare: the command targets 111122223333, which is neither our account nor listed.
    const accounts = createAccountPolicy({
      homeAccountId: async () => '999999999999',
      allowed: [],
      source: 'list',
    });
    const { published, calls, run } = setup({ GetUserCommand: () => ({ User: {} }) }, { accounts });
    // Act
    await run('contain.iam-user').done;
    // Assess
    expect(calls).toEqual([]);
    expect(published[0]).toMatchObject({
      type: 'step.failed',
      payload: { errorName: 'AccountNotAllowedError' },
    });
    expect(JSON.stringify(published[0])).toContain('111122223333 is not in IR_ALLOWED_ACCOUNTS');
  });
});
