/**
 * Commodity remediation end to end: the five services as separate processes against the emulator,
 * a Security Hub control finding (EC2.13) and a GuardDuty CloudTrailLoggingDisabled finding sent as
 * EventBridge delivers them, AWS state read back after containment and after an operator's rollback
 * (which the responder verifies: the operator re-opens the ingress, then rolls back again). Each
 * rollback request is a responder's and waits for an approver (the two-person rule).
 */
import { readFileSync } from 'node:fs';
import { AuthorizeSecurityGroupIngressCommand, type IpPermission } from '@aws-sdk/client-ec2';
import {
  cloudTrailClient,
  createIamUser,
  createMixedSecurityGroup,
  createTrail,
  type EmulatorAccount,
  eventually,
  groupTags,
  ingressRuleSet,
  isLogging,
  isolatedAccount,
  KEPT_RULES,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { approveHeldRollback, apiOperator } from '../support/operator.js';
import { type RunningSystem, startSystem } from '../support/system.js';

type Json = Record<string, unknown>;

/** A finding sample of packages/contracts/test/fixtures, moved to this account, region and time. */
function sample(name: string, where: { accountId: string; region: string }, changes: Record<string, string>) {
  let text = readFileSync(new URL(`../../packages/contracts/test/fixtures/${name}`, import.meta.url), 'utf8');
  for (const [from, to] of Object.entries({
    '777788889999': where.accountId,
    'eu-west-1': where.region,
    ...changes,
  }))
    text = text.replaceAll(from, to);
  const now = new Date().toISOString();
  return {
    event: JSON.parse(
      text.replace(/"(CreatedAt|UpdatedAt|createdAt|updatedAt)": "[^"]+"/g, `"$1": "${now}"`),
    ) as Json,
  };
}

describe('the remediation playbooks, end to end', () => {
  let system: RunningSystem;
  let account: EmulatorAccount;
  const endpoint = inject('awsEndpoint');
  beforeAll(async () => {
    // As systemInIsolatedAccount, keeping the account: testkit's clients have no CloudTrail client.
    const region = process.env.AWS_REGION ?? 'us-east-1';
    account = await isolatedAccount({ endpoint, region });
    system = await startSystem({ endpoint, region, account });
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  const where = () => ({ accountId: system.accountId, region: system.region });

  it('security-group-admin-ports-open: an EC2.13 finding revokes only world-open admin ingress; the rollback asks the operator to re-open it, then verifies', async () => {
    // Prepare
    const groupId = await createMixedSecurityGroup(system.clients.ec2);
    const original = await ingressRuleSet(system.clients.ec2, groupId);
    const { event } = sample('security-hub-control-ec2-admin-ports.json', where(), {
      'sg-0a1b2c3d4e5f60718': groupId,
      '0b1c2d3e-4f5a-4b6c-8d7e': `e2e-${Date.now().toString(36)}`,
    });
    const findingId = String(((event.detail as Json).findings as Json[])[0]?.Id);
    const rollbackFailed = (v: Parameters<typeof stepOf>[0]) =>
      v.steps.some((s) => s.action === 'rollback.security-group-ingress' && s.status === 'failed');

    // Act
    await system.sendFinding(event);
    const contained = await waitForIncidentOf(
      system.api,
      findingId,
      (v) => v.incident.status === 'completed',
    );
    const incidentId = contained.incident.incidentId;
    const afterContainment = await ingressRuleSet(system.clients.ec2, groupId);
    const approver = apiOperator(system.apiAs('approver'), 'approver');
    await system.api.rollback(incidentId, { reason: 'change window' });
    await approveHeldRollback(system.api, findingId, approver);
    const refused = await waitForIncidentOf(system.api, findingId, rollbackFailed);
    const afterRefusal = await ingressRuleSet(system.clients.ec2, groupId);
    const failure = stepOf(refused, 'rollback.security-group-ingress').failure;
    const [command] = (failure?.detail?.operatorCommands ?? []) as string[];
    // The operator runs the command with the emulator's admin credentials (the SDK call it stands for).
    const json = /--ip-permissions '(.*)'$/.exec(command ?? '')?.[1] ?? '[]';
    await system.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: JSON.parse(json) as IpPermission[],
      }),
    );
    await system.api.rollback(incidentId, { reason: 'rules re-opened by hand' });
    const retryHeld = await approveHeldRollback(system.api, findingId, approver);
    const rolledBack = await waitForIncidentOf(
      system.api,
      findingId,
      (v) => v.incident.status === 'rolled-back',
    );

    // Assess
    expect(contained.incident.playbookId).toBe('security-group-admin-ports-open');
    expect(stepOf(contained, 'contain.security-group-ingress').status).toBe('succeeded');
    expect(afterContainment).toEqual(KEPT_RULES);
    expect(refused.incident.status).toBe('needs-attention');
    expect(failure?.errorName).toBe('OperatorActionRequiredError');
    expect(command).toMatch(
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --region ${system.region} --group-id ${groupId} `,
      ),
    );
    expect(afterRefusal).toEqual(KEPT_RULES);
    // The command reaches the timeline in the step's reason (and the step's failure.detail).
    expect(
      refused.timeline.some(
        (e) => e.kind === 'step-failed' && String(e.detail?.reason).includes(command ?? 'no command'),
      ),
    ).toBe(true);
    expect(
      retryHeld.steps.find((s) => s.origin === 'rollback' && s.status === 'awaiting-approval')?.stepId,
    ).toMatch(/:retry-1$/);
    expect(stepOf(rolledBack, 'contain.security-group-ingress').status).toBe('rolled-back');
    expect(stepOf(rolledBack, 'rollback.security-group-ingress', 'rollback:').status).toBe('failed');
    expect(
      rolledBack.steps.find((s) => s.action === 'rollback.security-group-ingress' && s.status === 'succeeded')
        ?.stepId,
    ).toMatch(/:retry-1$/);
    expect(await ingressRuleSet(system.clients.ec2, groupId)).toEqual(original);
    expect(await groupTags(system.clients.ec2, groupId)).toEqual({});
    await eventually(
      () => system.receivers.of(incidentId).some((n) => n.stage === 'contained'),
      30_000,
      'a contained notification',
    );
  });

  it('cloudtrail-logging-disabled: a GuardDuty finding restarts the stopped trail and records who stopped it', async () => {
    // Prepare
    const cloudtrail = cloudTrailClient({
      endpoint,
      region: system.region,
      credentials: account.credentials,
    });
    const user = await createIamUser({ iam: system.clients.iam });
    const trailArn = await createTrail(
      { s3: system.clients.s3, cloudtrail },
      { name: 'management-events', logging: false },
    );
    const { event } = sample('guardduty-eventbridge-cloudtrail-logging-disabled.json', where(), {
      'ops-automation': user.userName,
      AKIAIOSFODNN7EXAMPLE: user.accessKeyIds[0] ?? 'AKIAIOSFODNN7EXAMPLE',
      c8e2a4f6b8d0c2e4f6a8b0d2c4e6f8a0: `e2e${Date.now().toString(16)}`,
    });
    const findingId = String((event.detail as Json).id);

    // Act
    await system.sendFinding(event);
    const view = await waitForIncidentOf(system.api, findingId, (v) => v.incident.status === 'completed');

    // Assess
    expect(view.incident.playbookId).toBe('cloudtrail-logging-disabled');
    const step = stepOf(view, 'contain.cloudtrail-logging');
    expect(step.status).toBe('succeeded');
    expect(step.result?.trails).toEqual([trailArn]);
    expect(step.result?.stoppedBy).toMatchObject({ userName: user.userName, api: 'StopLogging' });
    expect(await isLogging(cloudtrail, trailArn)).toBe(true);
    cloudtrail.destroy();
  });
});
