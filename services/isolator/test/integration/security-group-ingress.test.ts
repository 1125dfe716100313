import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';
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

  it('revokes only the world-open admin rules, a rerun finds its own work, rollback restores the exact rule set', async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(fixture.clients.ec2);
    const original = await ingressRuleSet(fixture.clients.ec2, groupId);

    // Act
    const first = succeeded(await fixture.runStep('contain.security-group-ingress', { groupId }));
    const contained = await ingressRuleSet(fixture.clients.ec2, groupId);
    const rerun = succeeded(await fixture.runStep('contain.security-group-ingress', { groupId }));
    const rolledBack = succeeded(
      await fixture.runStep('rollback.security-group-ingress', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    const restored = await ingressRuleSet(fixture.clients.ec2, groupId);
    const rollbackAgain = succeeded(
      await fixture.runStep('rollback.security-group-ingress', {
        originalStepId: first.stepId,
        preState: rerun.preState ?? {},
      }),
    );

    // Assess
    expect(contained).toEqual(KEPT);
    expect(first.result.kept).toBe(3);
    expect(rerun.preState).toEqual(first.preState);
    expect(rerun.result.changes).toEqual([]);
    expect(restored).toEqual(original);
    expect(rolledBack.result.restored).toHaveLength(5);
    expect(rollbackAgain.result.restored).toEqual([]);
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
