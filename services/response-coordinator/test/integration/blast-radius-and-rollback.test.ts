import { findingTypes, type LocalIdentityProvider, startIdentityProvider } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeSlots } from '../../src/repository/blast-window.js';
import { coordinatorFixture, type Fixture, finding } from './harness.js';
import { playWorkers, preStateOf } from './worker-double.js';

const instanceFinding = (instanceId: string) =>
  finding({ type: findingTypes.c2Dns, severity: 8, resource: { kind: 'instance', instanceId } });

describe('response coordinator blast radius, rollback and dry run (on the emulator)', () => {
  let fixture: Fixture;
  /** Blast-radius slots (of the 1 allowed) holding a time inside the last day, read back from the table. */
  const slotsTaken = async () =>
    1 - freeSlots(await fixture.repository.blastSlots(1), 1, new Date(), 86_400).length;
  let base: string;
  // Real people from the local IdP: the console password removal and the rollback need two of them.
  let idp: LocalIdentityProvider;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    fixture = await coordinatorFixture({
      IR_MAX_AUTO_CONTAINMENTS: '1',
      IR_BLAST_WINDOW: '1d',
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
    });
    ({ base } = await fixture.start());
  }, 120_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
  });

  it('holds the (N+1)th automatic containment in the window for approval and pages on-call', async () => {
    // Prepare: N = 1, used by the first incident.
    await fixture.open('inc-blast-1', instanceFinding('i-0000000000000b001'));
    await playWorkers(fixture, 'inc-blast-1', {
      until: (status) => status === 'completed',
      what: 'first incident',
    });
    // Act
    await fixture.open('inc-blast-2', instanceFinding('i-0000000000000b002'));
    await playWorkers(fixture, 'inc-blast-2', {
      until: (_status, steps) => Object.values(steps).includes('awaiting-approval'),
      what: 'second containment held',
    });
    // Assess
    const second = await fixture.incident('inc-blast-2');
    const held = second?.steps.find((step) => step.action === 'contain.ec2-instance');
    expect(held).toMatchObject({ status: 'awaiting-approval', holdReasons: ['blast-radius'] });
    const page = second?.steps.find((step) => step.stepId === `notify:approval-needed:${held?.stepId}`);
    expect(page?.params).toMatchObject({ stage: 'approval-needed', details: { page: true } });
    expect(await slotsTaken()).toBe(1);
    expect(fixture.seen.filter((c) => c.type === 'contain.ec2-instance').map((c) => c.incidentId)).toEqual([
      'inc-blast-1',
    ]);
  });

  it('rolls back every succeeded containment with its recorded pre-state, newest first', async () => {
    // Prepare: an IAM incident (three containments; the console password removal cannot be undone).
    const incidentId = 'inc-rollback';
    await fixture.open(
      incidentId,
      finding({
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
        severity: 8,
        resource: {
          kind: 'access-key',
          userType: 'IAMUser',
          userName: 'bob',
          accessKeyId: 'AKIABOB000000000000',
        },
      }),
    );
    const approvers = [await idp.operatorToken('approver'), await idp.operatorToken('secondApprover')];
    await playWorkers(fixture, incidentId, {
      approveAt: base,
      approvers,
      until: (status) => status === 'completed',
      what: 'contained',
    });
    const contained = (await fixture.incident(incidentId))?.steps
      .filter((step) => step.containment && step.action !== 'contain.remove-login-profile')
      .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? ''));
    // Act
    const response = await fetch(`${base}/incidents/${incidentId}/rollback`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await idp.operatorToken('responder')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'false positive' }),
    });
    const rollbacks: string[] = [];
    // The responder asked; an approver (another person) releases the rollback.
    await playWorkers(fixture, incidentId, {
      approveAt: base,
      approvers,
      until: (status) => status === 'rolled-back',
      what: 'rolled back',
    });
    for (const command of fixture.seen) {
      if (command.incidentId === incidentId && command.type.startsWith('rollback.')) {
        rollbacks.push(String((command.payload.params as { originalStepId: string }).originalStepId));
        expect(command.payload.params).toMatchObject({
          preState: preStateOf({
            ...command,
            payload: {
              ...command.payload,
              stepId: String((command.payload.params as { originalStepId: string }).originalStepId),
            },
          }),
        });
      }
    }
    // Assess
    expect(response.status).toBe(202);
    expect(contained?.length).toBeGreaterThanOrEqual(2);
    expect(rollbacks).toEqual(contained?.map((step) => step.stepId));
    const after = await fixture.incident(incidentId);
    for (const step of contained ?? []) {
      expect(after?.steps.find((s) => s.stepId === step.stepId)?.status).toBe('rolled-back');
    }
    const { timeline } = await fixture.repository.load(incidentId);
    expect(timeline.some((entry) => entry.kind === 'rollback-impossible')).toBe(true);
  });

  it('carries dry-run to every command and spends no blast-radius budget', async () => {
    // Prepare
    const slotsBefore = await fixture.repository.blastSlots(1);
    // Act
    await fixture.open('inc-dry', instanceFinding('i-0000000000000d001'), { dryRun: true });
    await playWorkers(fixture, 'inc-dry', {
      until: (status) => status === 'completed',
      what: 'dry run completed',
    });
    // Assess
    const commands = fixture.seen.filter((command) => command.incidentId === 'inc-dry');
    expect(commands.some((command) => command.type === 'contain.ec2-instance')).toBe(true);
    expect(commands.every((command) => command.dryRun)).toBe(true);
    expect(await fixture.repository.blastSlots(1)).toEqual(slotsBefore);
  });
});
