import { IncidentReport } from '@ir/contracts';
import { createLogger, createPublisher } from '@ir/runtime';
import {
  DEMO_OPERATORS,
  eventually,
  findingTypes,
  type LocalIdentityProvider,
  startIdentityProvider,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecisionSubmitter } from '../../src/api/decisions.js';
import type { ApiDeps } from '../../src/api/routes.js';
import { coordinatorFixture, type Fixture, finding } from './harness.js';
import { openAwaitingApproval, playWorkers } from './worker-double.js';

describe('two-person rule (real local IdP, coordinator on the emulator)', () => {
  let idp: LocalIdentityProvider;
  let fixture: Fixture;
  let base: string;
  const incidentId = 'inc-two-person';
  const alice = DEMO_OPERATORS.approver;
  const bob = DEMO_OPERATORS.secondApprover;
  let blockStep = '';

  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const step = async (stepId: string) =>
    (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === stepId);
  const approve = (stepId: string, token: string) =>
    call(`/incidents/${incidentId}/steps/${encodeURIComponent(stepId)}/approve`, token, {
      reason: 'checked',
    });

  beforeAll(async () => {
    idp = await startIdentityProvider();
    fixture = await coordinatorFixture({ IR_OIDC_ISSUER: idp.issuer, IR_OIDC_AUDIENCE: idp.audience });
    ({ base } = await fixture.start());
    await openAwaitingApproval(
      fixture,
      incidentId,
      finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.21' }),
      'the NACL block awaiting approval, nothing in flight',
    );
    blockStep =
      (await fixture.incident(incidentId))?.steps.find((s) => s.action === 'contain.block-ip')?.stepId ?? '';
  }, 240_000);

  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
  });

  it('records a first approval, refuses the same approver’s second, and runs once another approver agrees', async () => {
    // Prepare
    const aliceToken = await idp.operatorToken('approver');
    const bobToken = await idp.operatorToken('secondApprover');
    // Act
    const first = await approve(blockStep, aliceToken);
    await eventually(async () => (await step(blockStep))?.approvals.length === 1, 30_000, 'first approval');
    const again = await approve(blockStep, aliceToken);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const afterRefusal = await step(blockStep);
    const shown = (await (await call(`/incidents/${incidentId}`, aliceToken)).json()) as {
      steps: { stepId: string; status: string }[];
    };
    const second = await approve(blockStep, bobToken);
    await playWorkers(fixture, incidentId, {
      until: (status) => status === 'completed',
      what: 'the block ran and the incident completed',
    });
    const done = await fixture.repository.load(incidentId);
    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({
      error: 'forbidden',
      message: expect.stringContaining('already approved this step'),
    });
    expect(afterRefusal).toMatchObject({
      status: 'awaiting-approval',
      approvalsRequired: 2,
      approvals: [{ actor: { issuer: idp.issuer, subject: alice.subject } }],
    });
    expect(shown.steps.find((s) => s.stepId === blockStep)?.status).toBe('awaiting-approval');
    expect(second.status).toBe(202);
    expect(fixture.seen.some((c) => c.incidentId === incidentId && c.type === 'contain.block-ip')).toBe(true);
    expect(done.aggregate?.steps.find((s) => s.stepId === blockStep)).toMatchObject({
      status: 'succeeded',
      approvedBy: `${bob.name} <${bob.email}>`,
      approvedByActor: { issuer: idp.issuer, subject: bob.subject },
    });
    expect(
      done.timeline.find((e) => e.kind === 'step-approved' && e.stepId === blockStep)?.detail,
    ).toMatchObject({
      actor: { issuer: idp.issuer, subject: bob.subject },
      requestedBy: { actor: { issuer: idp.issuer, subject: alice.subject } },
    });
  });

  it('refuses a rollback’s approval by its requester, in the API and through the submitter Slack uses; another approver releases it', async () => {
    // Prepare
    const aliceToken = await idp.operatorToken('approver');
    const bobToken = await idp.operatorToken('secondApprover');
    const viewer = { issuer: idp.issuer, subject: DEMO_OPERATORS.viewer.subject };
    const submit = createDecisionSubmitter({
      repository: fixture.repository,
      publisher: createPublisher(fixture.clients.sqs, { coordinator: fixture.system.queues.coordinator.url }),
      producer: 'two-person-test',
      clock: () => new Date(),
      logger: createLogger({ service: 'two-person-test', level: 'silent' }),
    } as unknown as ApiDeps);
    // Act
    const requested = await call(`/incidents/${incidentId}/rollback`, aliceToken, {
      reason: 'false positive',
    });
    await eventually(
      async () => (await fixture.incident(incidentId))?.steps.some((s) => s.origin === 'rollback') ?? false,
      30_000,
      'rollback steps planned',
    );
    const rollbackStep = (await fixture.incident(incidentId))?.steps.find((s) => s.origin === 'rollback');
    const own = await approve(rollbackStep?.stepId ?? '', aliceToken);
    const ownViaSubmitter = await submit(
      { identity: { issuer: idp.issuer, subject: alice.subject }, role: 'approver' },
      { kind: 'approve', incidentId, stepId: rollbackStep?.stepId ?? '' },
    );
    const viewerViaSubmitter = await submit(
      { identity: viewer, role: 'viewer' },
      { kind: 'approve', incidentId, stepId: rollbackStep?.stepId ?? '' },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stillHeld = await step(rollbackStep?.stepId ?? '');
    const released = await approve(rollbackStep?.stepId ?? '', bobToken);
    await playWorkers(fixture, incidentId, {
      until: (status) => status === 'rolled-back',
      what: 'rolled back',
    });
    const after = await fixture.repository.load(incidentId);
    const report = IncidentReport.parse(
      await (await call(`/incidents/${incidentId}/report`, bobToken)).json(),
    );
    const markdown = await (await call(`/incidents/${incidentId}/report?format=markdown`, bobToken)).text();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Assess
    expect(
      metrics
        .split('\n')
        .find((line) => line.startsWith('ir_rollbacks_total{') && line.includes('action="contain.block-ip"')),
    ).toMatch(/ 1$/);
    expect(requested.status).toBe(202);
    expect(rollbackStep).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['two-person-rule'],
      requestedBy: { actor: { issuer: idp.issuer, subject: alice.subject } },
    });
    expect(own.status).toBe(403);
    expect(await own.json()).toMatchObject({ message: expect.stringContaining('requested this') });
    expect(ownViaSubmitter).toMatchObject({
      status: 403,
      message: expect.stringContaining('requested this'),
    });
    expect(viewerViaSubmitter).toMatchObject({
      status: 403,
      message: expect.stringContaining('approver role'),
    });
    expect(stillHeld?.status).toBe('awaiting-approval');
    expect(released.status).toBe(202);
    const rollbackCommands = fixture.seen.filter(
      (c) => c.incidentId === incidentId && c.type === 'rollback.block-ip',
    );
    expect(rollbackCommands.map((c) => c.payload.params.originalStepId)).toEqual([blockStep]);
    expect(after.aggregate?.incident.status).toBe('rolled-back');
    expect(after.aggregate?.steps.find((s) => s.stepId === blockStep)?.status).toBe('rolled-back');
    expect(after.aggregate?.steps.find((s) => s.stepId === rollbackStep?.stepId)).toMatchObject({
      status: 'succeeded',
      approvedByActor: { issuer: idp.issuer, subject: bob.subject },
    });
    expect(report.rollback).toMatchObject({
      requester: { issuer: idp.issuer, subject: alice.subject },
      approver: { issuer: idp.issuer, subject: bob.subject },
    });
    expect(report.approvals.find((a) => a.stepId === rollbackStep?.stepId)).toMatchObject({
      decidedBy: { subject: bob.subject },
      requestedBy: { subject: alice.subject },
    });
    expect(markdown).toContain(bob.subject);
    expect(markdown).toContain(alice.subject);
  });
});
