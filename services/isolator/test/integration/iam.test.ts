import {
  CreatePolicyCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { createIamUser, createRole } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarantinePolicyName } from '../../src/actions/iam/quarantine-policy.js';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** The user as the emulator holds it: keys, inline policy names, attached managed policies, tags. */
async function readUser(fixture: Fixture, userName: string) {
  const iam = fixture.clients.iam;
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
  const inline = (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
  const attached =
    (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? [];
  const tags = (await iam.send(new ListUserTagsCommand({ UserName: userName }))).Tags ?? [];
  return {
    keys: Object.fromEntries(keys.map((k) => [k.AccessKeyId, k.Status])),
    inline,
    attached: attached.map((policy) => policy.PolicyArn),
    tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
  };
}

/** The role's inline policy names and attached managed policies. */
async function readRole(fixture: Fixture, roleName: string) {
  const iam = fixture.clients.iam;
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const attached =
    (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
  return { inline, attached: attached.map((policy) => policy.PolicyArn) };
}

type PolicyDocument = {
  Statement: {
    Sid?: string;
    Effect: string;
    Action: string;
    Resource: string;
    Condition?: { DateLessThan: Record<string, string> };
  }[];
};

/** A managed policy read back by ARN: its path and default version's document; undefined if absent. */
async function readManagedPolicy(fixture: Fixture, policyArn: string) {
  const iam = fixture.clients.iam;
  try {
    const { Policy: policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
    const { PolicyVersion: version } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: policy?.DefaultVersionId }),
    );
    const text = version?.Document ?? '';
    const document = JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text)) as PolicyDocument;
    return { path: policy?.Path, name: policy?.PolicyName, document };
  } catch (error: unknown) {
    if ((error as { name?: string }).name === 'NoSuchEntityException') return undefined;
    throw error;
  }
}

/** Every policy under `/ir-quarantine/` whose name ends with the principal's name. */
async function quarantinePoliciesOf(fixture: Fixture, principalName: string) {
  const { Policies: policies = [] } = await fixture.clients.iam.send(
    new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/ir-quarantine/', MaxItems: 1000 }),
  );
  return policies.filter((policy) => policy.PolicyName?.endsWith(`-${principalName}`)).map((p) => p.Arn);
}

/**
 * A managed policy under the name and path the isolator would use for this user in `inc-test-1`,
 * created by someone else (or by a first run whose answer was lost), with `statement` as its document.
 */
async function precreateQuarantinePolicy(fixture: Fixture, userName: string, statement: object) {
  const created = await fixture.clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: quarantinePolicyName('inc-test-1', { kind: 'user', name: userName }),
      Path: '/ir-quarantine/',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
    }),
  );
  return created.Policy?.Arn ?? '';
}

describe('IAM containment (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('contain.iam-user: managed deny policy attached, every key Inactive, tagged; twice is the same; rollback restores each key', async () => {
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
    // Assess: one managed policy under /ir-quarantine/, attached, denying everything; no inline policy.
    const policyArn = String(first.result.policyArn);
    expect(once.inline).toEqual([]);
    expect(once.attached).toEqual([policyArn]);
    expect(await readManagedPolicy(fixture, policyArn)).toEqual({
      path: '/ir-quarantine/',
      name: `ir-quarantine-inc-test-1-user-${user.userName}`,
      document: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'IrDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
      },
    });
    expect(first.preState).toMatchObject({ userName: user.userName, policyArn });
    expect(Object.values(once.keys)).toEqual(['Inactive', 'Inactive']);
    expect(once.tags).toMatchObject({ 'ir:incident-id': 'inc-test-1', 'ir:status': 'contained' });
    // Assess: the repeat created no second policy and no second attachment.
    expect(await readUser(fixture, user.userName)).toEqual(once);
    expect(await quarantinePoliciesOf(fixture, user.userName)).toEqual([policyArn]);
    expect(second.preState).toEqual(first.preState);
    // Act: rollback
    succeeded(
      await fixture.runStep('rollback.iam-user', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    // Assess: detached and deleted, keys and tags as before.
    const restored = await readUser(fixture, user.userName);
    expect(restored).toEqual(before);
    expect(restored.attached).toEqual([]);
    expect(await readManagedPolicy(fixture, policyArn)).toBeUndefined();
    expect(await quarantinePoliciesOf(fixture, user.userName)).toEqual([]);
    expect(restored.keys[active ?? '']).toBe('Active');
    expect(restored.keys[inactive ?? '']).toBe('Inactive');
  });

  it('contain.iam-user after a first run whose policy was created but not attached: attaches that one, no second', async () => {
    // Prepare: the state a first run leaves when AWS applied CreatePolicy and its answer was lost.
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 1 });
    const policyArn = await precreateQuarantinePolicy(fixture, user.userName, {
      Sid: 'IrDenyAll',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
    });
    // Act
    const answer = succeeded(await fixture.runStep('contain.iam-user', { userName: user.userName }));
    // Assess
    expect(answer.result.policyArn).toBe(policyArn);
    expect(answer.result.changes).not.toContainEqual(expect.stringMatching(/^create managed policy/));
    expect((await readUser(fixture, user.userName)).attached).toEqual([policyArn]);
    expect(await quarantinePoliciesOf(fixture, user.userName)).toEqual([policyArn]);
  });

  it('contain.iam-user refuses to attach a policy of its name whose document is not the deny-all', async () => {
    // Prepare: someone else created a policy under the name the isolator would use, allowing everything.
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 1 });
    const allowAll = await precreateQuarantinePolicy(fixture, user.userName, {
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
    });
    const before = await readUser(fixture, user.userName);
    // Act
    const answer = await fixture.runStep('contain.iam-user', { userName: user.userName });
    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.payload).toMatchObject({ errorName: 'VerificationFailedError' });
    expect(allowAll).not.toBe('');
    expect(JSON.stringify(answer.payload)).toContain(allowAll);
    expect(await readUser(fixture, user.userName)).toEqual(before);
  });

  it('contain.iam-user in dry-run changes nothing', async () => {
    // Prepare
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 2 });
    const before = await readUser(fixture, user.userName);
    // Act
    const answer = succeeded(
      await fixture.runStep('contain.iam-user', { userName: user.userName }, { dryRun: true }),
    );
    // Assess: no policy created or attached; it says what it would create and attach.
    expect(await readUser(fixture, user.userName)).toEqual(before);
    expect(await quarantinePoliciesOf(fixture, user.userName)).toEqual([]);
    expect(answer.result.wouldChange).toHaveLength(5);
    expect(answer.result.wouldChange).toEqual(
      expect.arrayContaining([
        `create managed policy /ir-quarantine/ir-quarantine-inc-test-1-user-${user.userName} denying everything`,
        expect.stringMatching(/^attach managed policy arn:aws:iam::\d+:policy\/ir-quarantine\//),
      ]),
    );
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

  it('denies sessions issued before the time of containment; twice keeps that time and one policy; rollback removes it', async () => {
    // Prepare
    const role = await createRole({ iam: fixture.clients.iam });
    const startedAt = Date.now();
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.role-sessions', { roleName: role.roleName }, { dryRun: true }),
    );
    const afterDry = await readRole(fixture, role.roleName);
    const policiesAfterDry = await quarantinePoliciesOf(fixture, role.roleName);
    const first = succeeded(await fixture.runStep('contain.role-sessions', { roleName: role.roleName }));
    const second = succeeded(await fixture.runStep('contain.role-sessions', { roleName: role.roleName }));
    const policyArn = String(first.result.policyArn);
    const contained = await readRole(fixture, role.roleName);
    const policy = await readManagedPolicy(fixture, policyArn);
    // Assess: dry-run changed nothing and named the create and the attach.
    expect(afterDry).toEqual({ inline: [], attached: [] });
    expect(policiesAfterDry).toEqual([]);
    expect(dry.result.wouldChange).toHaveLength(2);
    // Assess: one managed policy under /ir-quarantine/, attached once, no inline policy.
    expect(contained).toEqual({ inline: [], attached: [policyArn] });
    expect(await quarantinePoliciesOf(fixture, role.roleName)).toEqual([policyArn]);
    expect(policy?.path).toBe('/ir-quarantine/');
    expect(policy?.name).toBe(`ir-quarantine-inc-test-1-role-${role.roleName}`);
    expect(first.preState).toEqual({ roleName: role.roleName, policyName: policy?.name, policyArn });
    expect(second.preState).toEqual(first.preState);
    const statement = policy?.document.Statement[0];
    const issuedBefore = statement?.Condition?.DateLessThan['aws:TokenIssueTime'] ?? '';
    expect(statement).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(Date.parse(issuedBefore)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(issuedBefore)).toBeLessThanOrEqual(Date.now());
    expect(second.result.revokedSessionsIssuedBefore).toBe(issuedBefore);
    expect(second.result.changes).toEqual([]);
    expect(String(first.result.warning)).toContain('every workload');
    // Act: rollback, twice (a lost answer redelivered)
    const rollback = () =>
      fixture.runStep('rollback.role-sessions', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      });
    const undone = succeeded(await rollback());
    const again = succeeded(await rollback());
    // Assess: detached and deleted; the repeat had nothing left to do.
    expect(undone.result.changes).toEqual([
      `detach managed policy ${policyArn} from role ${role.roleName}`,
      `delete managed policy ${policyArn}`,
    ]);
    expect(again.result.changes).toEqual([]);
    expect(await readRole(fixture, role.roleName)).toEqual({ inline: [], attached: [] });
    expect(await readManagedPolicy(fixture, policyArn)).toBeUndefined();
    expect(await quarantinePoliciesOf(fixture, role.roleName)).toEqual([]);
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
    expect(await readRole(fixture, role.roleName)).toEqual({ inline: [], attached: [] });
    expect(await quarantinePoliciesOf(fixture, role.roleName)).toEqual([]);
  });
});
