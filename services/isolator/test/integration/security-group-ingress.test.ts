import {
  AuthorizeSecurityGroupIngressCommand,
  type IpPermission,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, operatorCommands, optionOf, succeeded } from './harness.js';
import { createMixedSecurityGroup, groupTags, ingressRuleSet, KEPT_RULES as KEPT } from '@ir/testkit';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

describe('contain.security-group-ingress and rollback.security-group-ingress (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('dry-run changes nothing and lists exactly the world-open admin rules', async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);
    const before = await ingressRuleSet(fixture.clients.ec2, groupId);

    // Act
    const dry = succeeded(
      await fixture.runStep('contain.security-group-ingress', { groupId }, { dryRun: true }),
    );

    // Assess
    expect(await ingressRuleSet(fixture.clients.ec2, groupId)).toEqual(before);
    expect(await groupTags(fixture.clients.ec2, groupId)).toEqual({});
    expect(dry.result.wouldChange).toHaveLength(5);
    expect(dry.preState?.revoked).toHaveLength(5);
  });

  it('revokes only the world-open admin rules and records them as ir-record: tags; a rerun finds its own work', async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);

    // Act
    const first = succeeded(
      await fixture.runStep('contain.security-group-ingress', { groupId }, { incidentId: 'inc-sg-1' }),
    );
    const contained = await ingressRuleSet(fixture.clients.ec2, groupId);
    const rerun = succeeded(
      await fixture.runStep('contain.security-group-ingress', { groupId }, { incidentId: 'inc-sg-1' }),
    );

    // Assess
    expect(contained).toEqual(KEPT);
    expect(first.result.kept).toBe(3);
    expect(rerun.preState).toEqual(first.preState);
    expect(rerun.result.changes).toEqual([]);
    const tags = await groupTags(fixture.clients.ec2, groupId);
    expect(tags['ir-record:ingress-revoked-by']).toBe('inc-sg-1');
    expect(tags['ir-record:revoked-ingress-0']).toBeDefined();
    expect(Object.keys(tags).filter((key) => key.startsWith('ir:'))).toEqual([]);
  });

  it('rollback re-opens nothing: it fails with the command an operator runs, and once the operator has, verifies and removes its records', async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);
    const original = await ingressRuleSet(fixture.clients.ec2, groupId);
    const contain = succeeded(
      await fixture.runStep('contain.security-group-ingress', { groupId }, { incidentId: 'inc-sg-2' }),
    );
    const recordTags = await groupTags(fixture.clients.ec2, groupId);
    const rollback = () =>
      fixture.runStep(
        'rollback.security-group-ingress',
        { originalStepId: contain.stepId, preState: contain.preState ?? {} },
        { incidentId: 'inc-sg-2' },
      );

    // Act: the operator has not acted yet.
    const refused = failed(await rollback());
    const afterRefusal = await ingressRuleSet(fixture.clients.ec2, groupId);
    const tagsAfterRefusal = await groupTags(fixture.clients.ec2, groupId);
    const [command] = operatorCommands(refused);
    // The operator runs the command, as the emulator's administrator (the SDK call it stands for).
    const permissions = JSON.parse(optionOf(command ?? '', 'ip-permissions')) as IpPermission[];
    await fixture.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: optionOf(command ?? '', 'group-id'),
        IpPermissions: permissions,
      }),
    );
    const verified = succeeded(await rollback());
    const verifiedAgain = succeeded(await rollback());

    // Assess
    expect(refused).toMatchObject({ errorName: 'OperatorActionRequiredError', retryable: false });
    expect(afterRefusal).toEqual(KEPT);
    expect(tagsAfterRefusal).toEqual(recordTags);
    expect(operatorCommands(refused)).toHaveLength(1);
    expect(command).toMatch(
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --region ${fixture.region} --group-id ${groupId} --ip-permissions '`,
      ),
    );
    expect(permissions).toHaveLength(5);
    expect(refused.reason).toContain(command);
    expect(refused.reason).toContain('irctl rollback inc-sg-2');
    expect(refused.detail).toMatchObject({ groupId });
    expect(await ingressRuleSet(fixture.clients.ec2, groupId)).toEqual(original);
    expect(verified.result.rulesBack).toHaveLength(5);
    expect(verified.result.changes).toHaveLength(1);
    expect(verified.verified).toEqual({ ingressRules: expect.any(Array) });
    expect(verifiedAgain.result.changes).toEqual([]);
    expect(await groupTags(fixture.clients.ec2, groupId)).toEqual({});
  });

  it('rollback asks for the recorded description of a rule that is back with another one', async () => {
    // Prepare: the operator put SSH back, but with a description of their own.
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);
    const original = await ingressRuleSet(fixture.clients.ec2, groupId);
    const contain = succeeded(
      await fixture.runStep('contain.security-group-ingress', { groupId }, { incidentId: 'inc-sg-3' }),
    );
    const [restore] = operatorCommands(
      failed(
        await fixture.runStep(
          'rollback.security-group-ingress',
          { originalStepId: contain.stepId, preState: contain.preState ?? {} },
          { incidentId: 'inc-sg-3' },
        ),
      ),
    );
    const permissions = JSON.parse(optionOf(restore ?? '', 'ip-permissions')) as IpPermission[];
    const renamed = permissions.map((permission) =>
      permission.IpRanges?.[0]?.Description === 'ssh from anywhere'
        ? { ...permission, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh, temporary' }] }
        : permission,
    );
    await fixture.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: renamed }),
    );
    const rollback = () =>
      fixture.runStep(
        'rollback.security-group-ingress',
        { originalStepId: contain.stepId, preState: contain.preState ?? {} },
        { incidentId: 'inc-sg-3' },
      );

    // Act
    const refused = failed(await rollback());
    const [update] = operatorCommands(refused);
    await fixture.clients.ec2.send(
      new UpdateSecurityGroupRuleDescriptionsIngressCommand({
        GroupId: optionOf(update ?? '', 'group-id'),
        IpPermissions: JSON.parse(optionOf(update ?? '', 'ip-permissions')) as IpPermission[],
      }),
    );
    const verified = await rollback();

    // Assess
    expect(refused.reason).toContain('"ssh, temporary", not "ssh from anywhere"');
    expect(operatorCommands(refused)).toHaveLength(1);
    expect(update).toMatch(/^aws ec2 update-security-group-rule-descriptions-ingress /);
    succeeded(verified);
    expect(await ingressRuleSet(fixture.clients.ec2, groupId)).toEqual(original);
    expect(await groupTags(fixture.clients.ec2, groupId)).toEqual({});
  });

  it("closes the command's extra ports as well, and nothing else", async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);

    // Act
    succeeded(await fixture.runStep('contain.security-group-ingress', { groupId, ports: [8080] }));

    // Assess
    expect(await ingressRuleSet(fixture.clients.ec2, groupId)).toEqual([
      'tcp|22-22|198.51.100.0/24|office ssh',
      'tcp|443-443|0.0.0.0/0|https',
    ]);
  });

  it('answers step.failed naming the group when it does not exist', async () => {
    // Act
    const answer = await fixture.runStep('contain.security-group-ingress', {
      groupId: 'sg-0123456789abcdef0',
    });

    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.type === 'step.failed' && answer.payload.reason).toMatch(
      /sg-0123456789abcdef0 does not exist/,
    );
  });
});
