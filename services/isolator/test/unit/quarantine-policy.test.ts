import { IAMClient } from '@aws-sdk/client-iam';
import { buildStepCommand, handlerContext } from '@ir/testkit';
import type { AwsClientFactory, Publishable } from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { quarantinePolicyName } from '../../src/actions/iam/quarantine-policy.js';
import { loadConfig } from '../../src/config.js';
import { createIsolatorWorker } from '../../src/worker.js';

const now = () => new Date('2025-01-01T00:00:00.000Z');
const ACCOUNT = '111122223333';

type Answer = (input: Record<string, unknown>) => unknown;

const awsError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/**
 * IAM as far as a quarantine goes, with a principal that already has IAM's 10 managed policies.
 * Why a fake and not the emulator: moto (5.2) does not enforce the attached-policies quota, so it
 * never answers `LimitExceeded` to AttachUserPolicy/AttachRolePolicy. It is a real IAMClient whose
 * `send` is replaced, because the SDK's paginators accept only an IAMClient.
 */
function fullIam() {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  let policyCreated = false;
  const answers: Record<string, Answer> = {
    GetUserCommand: () => ({ User: { UserName: 'alice', Arn: `arn:aws:iam::${ACCOUNT}:user/alice` } }),
    GetRoleCommand: () => ({ Role: { RoleName: 'app', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/app` } }),
    ListUserTagsCommand: () => ({ Tags: [] }),
    // The protected-tag gate reads the role's tags before contain.role-sessions: none here.
    ListRoleTagsCommand: () => ({ Tags: [] }),
    ListAccessKeysCommand: () => ({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAEXAMPLE1', Status: 'Active' }] }),
    ListAttachedUserPoliciesCommand: () => ({ AttachedPolicies: [] }),
    ListAttachedRolePoliciesCommand: () => ({ AttachedPolicies: [] }),
    GetPolicyCommand: () => {
      if (!policyCreated) throw awsError('NoSuchEntityException', 404);
      return { Policy: { DefaultVersionId: 'v1' } };
    },
    CreatePolicyCommand: () => {
      policyCreated = true;
      return { Policy: {} };
    },
    AttachUserPolicyCommand: () => {
      throw awsError('LimitExceededException', 409);
    },
    AttachRolePolicyCommand: () => {
      throw awsError('LimitExceededException', 409);
    },
    TagUserCommand: () => ({}),
    UpdateAccessKeyCommand: () => ({}),
  };
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push({ name, input: command.input });
    const answer = answers[name];
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(command.input);
  };
  const client = Object.assign(new IAMClient({ region: 'eu-west-1' }), { send });
  const aws: AwsClientFactory = {
    client: async () => client as never,
    homeAccountId: async () => ACCOUNT,
    memberRoleArn: (accountId) => `arn:aws:iam::${accountId}:role/ir-response`,
  };
  return { aws, calls };
}

async function run(action: 'contain.iam-user' | 'contain.role-sessions', params: Record<string, unknown>) {
  const { aws, calls } = fullIam();
  const published: Publishable[] = [];
  const worker = createIsolatorWorker({
    config: loadConfig({ IR_STEP_MAX_ATTEMPTS: '3' }),
    aws,
    publisher: { publish: async (_queue, messages) => void published.push(...messages) },
    registry: new Registry(),
    now,
  });
  const value = buildStepCommand(action, params as never, {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    producer: 'test',
    stepId: 's-1',
    playbookId: 'p',
    target: { accountId: ACCOUNT, region: 'eu-west-1' },
    timeoutSeconds: 60,
    now,
  });
  await worker.handle({ value, type: value.type }, handlerContext());
  return { published, calls };
}

describe('quarantine policy at the managed-policy quota', () => {
  it('contain.iam-user fails at once with what a person must do, after deactivating the keys', async () => {
    // Act
    const { published, calls } = await run('contain.iam-user', { userName: 'alice' });
    // Assess
    expect(published).toHaveLength(1);
    const payload = (published[0] as unknown as { payload: Record<string, unknown> }).payload;
    expect(published[0]?.type).toBe('step.failed');
    expect(payload).toMatchObject({ errorName: 'PolicyLimitExceededError', retryable: false });
    expect(String(payload.reason)).toContain('user alice already has the 10 managed policies IAM allows');
    expect(String(payload.reason)).toContain('a person must detach a managed policy');
    expect(String(payload.reason)).toContain('access key of alice was set Inactive');
    expect(calls).toContainEqual({
      name: 'UpdateAccessKeyCommand',
      input: { UserName: 'alice', AccessKeyId: 'AKIAEXAMPLE1', Status: 'Inactive' },
    });
    // The user is never tagged contained.
    expect(JSON.stringify(calls.filter((call) => call.name === 'TagUserCommand'))).not.toContain(
      '"Value":"contained"',
    );
  });

  it('contain.role-sessions fails at once with what a person must do', async () => {
    // Act
    const { published, calls } = await run('contain.role-sessions', { roleName: 'app' });
    // Assess
    const payload = (published[0] as unknown as { payload: Record<string, unknown> }).payload;
    expect(published[0]?.type).toBe('step.failed');
    expect(payload).toMatchObject({ errorName: 'PolicyLimitExceededError', retryable: false });
    expect(String(payload.reason)).toContain('role app already has the 10 managed policies IAM allows');
    expect(calls.filter((call) => call.name === 'CreatePolicyCommand')).toEqual([
      {
        name: 'CreatePolicyCommand',
        input: expect.objectContaining({
          Path: '/ir-quarantine/',
          PolicyName: 'ir-quarantine-inc-1-role-app',
        }),
      },
    ]);
  });
});

describe('quarantinePolicyName', () => {
  it("names the incident and the principal, and stays within IAM's 128 characters without colliding", () => {
    // Prepare
    const longIncident = `inc-${'a'.repeat(80)}`;
    const longUser = 'u'.repeat(64);
    // Act
    const short = quarantinePolicyName('inc-1', { kind: 'user', name: 'alice@example.com' });
    const long = quarantinePolicyName(longIncident, { kind: 'user', name: longUser });
    const other = quarantinePolicyName(longIncident, { kind: 'user', name: `${longUser.slice(1)}v` });
    // Assess
    expect(short).toBe('ir-quarantine-inc-1-user-alice@example.com');
    expect(quarantinePolicyName('inc 1/x', { kind: 'role', name: 'app' })).toBe(
      'ir-quarantine-inc-1-x-role-app',
    );
    expect(long).toHaveLength(128);
    expect(long).toMatch(/^ir-quarantine-inc-a+-user-u+-[0-9a-f]{12}$/);
    expect(other).not.toBe(long);
    expect(quarantinePolicyName(longIncident, { kind: 'user', name: longUser })).toBe(long);
  });
});
