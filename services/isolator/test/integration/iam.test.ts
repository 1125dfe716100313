import {
  GetLoginProfileCommand,
  GetRolePolicyCommand,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { createIamUser, createRole } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

async function readUser(fixture: Fixture, userName: string) {
  const iam = fixture.clients.iam;
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
  const policies = (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
  const tags = (await iam.send(new ListUserTagsCommand({ UserName: userName }))).Tags ?? [];
  return {
    keys: Object.fromEntries(keys.map((k) => [k.AccessKeyId, k.Status])),
    policies,
    tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
  };
}

describe('IAM containment (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('contain.iam-user: deny policy, every key Inactive, tagged; twice is the same; rollback restores each key', async () => {
    // Prepare: one key Active, one already Inactive before the incident.
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 2 });
    const [active, inactive] = user.accessKeyIds;
    await fixture.clients.iam.send(
      new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: inactive, Status: 'Inactive' }),
    );
    const before = await readUser(fixture, user.userName);
    // Act
    const first = succeeded(await fixture.runStep('contain.iam-user', { userName: user.userName }));
    const once = await readUser(fixture, user.userName);
    const second = succeeded(await fixture.runStep('contain.iam-user', { userName: user.userName }));
    // Assess
    expect(once.policies).toEqual([first.result.policyName]);
    expect(Object.values(once.keys)).toEqual(['Inactive', 'Inactive']);
    expect(once.tags).toMatchObject({ 'ir:incident-id': 'inc-test-1', 'ir:status': 'contained' });
    expect(await readUser(fixture, user.userName)).toEqual(once);
    expect(second.preState).toEqual(first.preState);
    // Act: rollback
    succeeded(
      await fixture.runStep('rollback.iam-user', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    // Assess
    const restored = await readUser(fixture, user.userName);
    expect(restored).toEqual(before);
    expect(restored.keys[active ?? '']).toBe('Active');
    expect(restored.keys[inactive ?? '']).toBe('Inactive');
  });

  it('contain.iam-user in dry-run changes nothing', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 2 });
    const before = await readUser(fixture, user.userName);
    // Act
    const answer = succeeded(
      await fixture.runStep('contain.iam-user', { userName: user.userName }, { dryRun: true }),
    );
    // Assess
    expect(await readUser(fixture, user.userName)).toEqual(before);
    expect(answer.result.wouldChange).toHaveLength(4);
  });

  it('contain.access-key deactivates exactly that key, twice, and in dry-run nothing; rollback reactivates it', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 2 });
    const [leaked = '', other = ''] = user.accessKeyIds;
    const before = await readUser(fixture, user.userName);
    // Act
    const dry = succeeded(
      await fixture.runStep(
        'contain.access-key',
        { userName: user.userName, accessKeyId: leaked },
        { dryRun: true },
      ),
    );
    const afterDry = await readUser(fixture, user.userName);
    const first = succeeded(
      await fixture.runStep('contain.access-key', { userName: user.userName, accessKeyId: leaked }),
    );
    const second = succeeded(
      await fixture.runStep('contain.access-key', { userName: user.userName, accessKeyId: leaked }),
    );
    const contained = await readUser(fixture, user.userName);
    succeeded(
      await fixture.runStep('rollback.access-key', {
        originalStepId: first.stepId,
        preState: second.preState ?? {},
      }),
    );
    // Assess
    expect(afterDry).toEqual(before);
    expect(dry.result.wouldChange).toEqual([`set access key ${leaked} Inactive`]);
    expect(contained.keys).toEqual({ [leaked]: 'Inactive', [other]: 'Active' });
    expect(second.preState).toEqual(first.preState);
    expect(await readUser(fixture, user.userName)).toEqual(before);
  });

  it('contain.remove-login-profile removes the password, says it cannot be restored, and succeeds again', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam, loginProfile: true });
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.remove-login-profile', { userName: user.userName }, { dryRun: true }),
    );
    await fixture.clients.iam.send(new GetLoginProfileCommand({ UserName: user.userName }));
    const first = succeeded(
      await fixture.runStep('contain.remove-login-profile', { userName: user.userName }),
    );
    const second = succeeded(
      await fixture.runStep('contain.remove-login-profile', { userName: user.userName }),
    );
    // Assess
    expect(dry.result.wouldChange).toHaveLength(1);
    await expect(
      fixture.clients.iam.send(new GetLoginProfileCommand({ UserName: user.userName })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(first.result).toMatchObject({ removed: true });
    expect(first.preState).toMatchObject({ hadLoginProfile: true, restorable: false });
    expect(second.result).toMatchObject({ removed: false, alreadyAbsent: true });
  });

  it('refuses the root user with a reason that asks for a person', async () => {
    // Act
    const answer = await fixture.runStep('contain.iam-user', { userName: 'root' });
    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.payload).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(JSON.stringify(answer.payload)).toContain('a person');
  });
});

describe('contain.role-sessions (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('denies sessions issued before the time of containment; twice keeps that time; rollback removes it', async () => {
    // Prepare
    const role = await createRole({ iam: fixture.clients.iam });
    const startedAt = Date.now();
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.role-sessions', { roleName: role.roleName }, { dryRun: true }),
    );
    const afterDry = (
      await fixture.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }))
    ).PolicyNames;
    const first = succeeded(await fixture.runStep('contain.role-sessions', { roleName: role.roleName }));
    const second = succeeded(await fixture.runStep('contain.role-sessions', { roleName: role.roleName }));
    const policyName = String(first.result.policyName);
    const policy = await fixture.clients.iam.send(
      new GetRolePolicyCommand({ RoleName: role.roleName, PolicyName: policyName }),
    );
    // Assess
    expect(afterDry).toEqual([]);
    expect(dry.result.wouldChange).toHaveLength(1);
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '')) as {
      Statement: { Effect: string; Condition: { DateLessThan: Record<string, string> } }[];
    };
    const issuedBefore = document.Statement[0]?.Condition.DateLessThan['aws:TokenIssueTime'] ?? '';
    expect(document.Statement[0]?.Effect).toBe('Deny');
    expect(Date.parse(issuedBefore)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(issuedBefore)).toBeLessThanOrEqual(Date.now());
    expect(second.result.revokedSessionsIssuedBefore).toBe(issuedBefore);
    expect(String(first.result.warning)).toContain('every workload');
    // Act: rollback
    succeeded(
      await fixture.runStep('rollback.role-sessions', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    // Assess
    expect(
      (await fixture.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }))).PolicyNames,
    ).toEqual([]);
  });

  it('refuses a service-linked role with a clear reason and changes nothing', async () => {
    // Prepare
    const role = await createRole({ iam: fixture.clients.iam, serviceLinked: true });
    // Act
    const answer = await fixture.runStep('contain.role-sessions', { roleName: role.roleName });
    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.payload).toMatchObject({ errorName: 'ContainmentRefusedError', retryable: false });
    expect(JSON.stringify(answer.payload)).toContain('service-linked');
    expect(
      (await fixture.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.roleName }))).PolicyNames,
    ).toEqual([]);
  });
});
