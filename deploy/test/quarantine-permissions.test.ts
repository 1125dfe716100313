import { describe, expect, it } from 'vitest';
import {
  guardStatements,
  PRIVILEGE_CREATING_ACTIONS,
  QUARANTINE_POLICY_ACTIONS,
} from '../src/iam/guard-statements.js';
import { isolatorStatements } from '../src/iam/isolator-policy.js';
import type { PolicyStatementJson } from '../src/iam/policy-json.js';

type Statement = PolicyStatementJson & { NotResource?: string | string[] };

const isolator = isolatorStatements('aws-cn').map((s) => s.toJSON() as Statement);
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? [...statement.Action] : [statement.Action as string];

function statement(statements: readonly Statement[], sid: string): Statement {
  const found = statements.find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

describe('isolatorStatements (quarantine with managed policies, TRAPS 20)', () => {
  it('allows no inline policy writes at all', () => {
    // Act
    const actions = isolator.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    // Assess
    for (const inline of [
      'iam:PutUserPolicy',
      'iam:PutRolePolicy',
      'iam:DeleteUserPolicy',
      'iam:DeleteRolePolicy',
      'iam:GetUserPolicy',
      'iam:GetRolePolicy',
    ]) {
      expect(actions).not.toContain(inline);
    }
    expect(actions).not.toContain('iam:CreatePolicyVersion');
    expect(actions).not.toContain('iam:SetDefaultPolicyVersion');
  });

  it('creates, reads and deletes managed policies only under /ir-quarantine/, in the given partition', () => {
    // Act
    const policies = statement(isolator, 'QuarantinePoliciesOnlyUnderTheirPath');
    const holders = isolator.filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => /^iam:(Create|Delete|Get)Policy/.test(a)),
    );
    // Assess
    expect(holders).toEqual([policies]);
    expect([...actionsOf(policies)].sort()).toEqual(
      [
        'iam:CreatePolicy',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListPolicyVersions',
      ].sort(),
    );
    expect(policies.Resource).toBe('arn:aws-cn:iam::*:policy/ir-quarantine/*');
    expect(policies.Condition).toBeUndefined();
  });

  it('attaches and detaches only policies whose ARN is under /ir-quarantine/', () => {
    // Act
    const attach = statement(isolator, 'AttachOnlyQuarantinePolicies');
    const holders = isolator.filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => /^iam:(Attach|Detach)/.test(a)),
    );
    // Assess
    expect(holders).toEqual([attach]);
    expect([...actionsOf(attach)].sort()).toEqual(
      ['iam:AttachRolePolicy', 'iam:AttachUserPolicy', 'iam:DetachRolePolicy', 'iam:DetachUserPolicy'].sort(),
    );
    expect(attach.Condition).toEqual({
      ArnLike: { 'iam:PolicyARN': 'arn:aws-cn:iam::*:policy/ir-quarantine/*' },
    });
    expect(statement(isolator, 'NeverTouchServiceLinkedRoles')).toMatchObject({
      Effect: 'Deny',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
    });
  });
});

describe('guardStatements (quarantine with managed policies, TRAPS 20)', () => {
  const guard = guardStatements({
    protectedRoleArns: ['arn:aws:iam::111122223333:role/ir-isolator-task'],
    existingResourceTagKeys: [],
  }).map((s) => s.toJSON() as Statement);

  it('denies creating a policy outside /ir-quarantine/ and attaching or detaching any other policy', () => {
    // Act
    const create = statement(guard, 'DenyPolicyCreationOutsideQuarantinePath');
    const attach = statement(guard, 'DenyAttachingAnythingButQuarantinePolicies');
    // Assess
    expect(create).toMatchObject({
      Effect: 'Deny',
      Action: 'iam:CreatePolicy',
      NotResource: 'arn:*:iam::*:policy/ir-quarantine/*',
    });
    expect(attach).toMatchObject({
      Effect: 'Deny',
      Resource: '*',
      Condition: { ArnNotLike: { 'iam:PolicyARN': 'arn:*:iam::*:policy/ir-quarantine/*' } },
    });
    expect([...actionsOf(attach), ...actionsOf(create)].sort()).toEqual(
      [...QUARANTINE_POLICY_ACTIONS].sort(),
    );
  });

  it('still denies changing a policy after creation and every group policy', () => {
    // Assess
    expect(PRIVILEGE_CREATING_ACTIONS).toEqual(
      expect.arrayContaining([
        'iam:CreatePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:AttachGroupPolicy',
        'iam:PutGroupPolicy',
      ]),
    );
    expect(actionsOf(statement(guard, 'DenyPrivilegeCreation'))).toEqual(
      expect.arrayContaining(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion']),
    );
  });
});
