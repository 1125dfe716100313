import { IncidentReport } from '@ir/contracts';
import { buildReport, verificationFrom } from '@ir/reporting';
import { describe, expect, it } from 'vitest';
import { ec2Incident, people, step, twoPersonIncident } from '../support/incident.js';

const options = { generatedAt: '2026-11-22T12:00:00.000Z', generatedBy: 'response-coordinator' };

describe('buildReport', () => {
  it('lists every step in plan order with its outcome, and matches the report schema', () => {
    // Prepare
    const input = ec2Incident();
    const shuffled = { ...input, steps: [...input.steps].reverse() };

    // Act
    const report = buildReport(shuffled, options);

    // Assess
    expect(IncidentReport.parse(report)).toEqual(report);
    expect(report.reportVersion).toBe(1);
    expect(report.steps.map((s) => s.stepId)).toEqual(input.steps.map((s) => s.stepId));
    const outcome = Object.fromEntries(report.steps.map((s) => [s.stepId, s.outcome]));
    expect(outcome.iam).toBe('failed: AccessDenied on iam:GetUser');
    expect(outcome.console).toBe('skipped: rejected by bob: break-glass user');
    expect(outcome.isolate).toBe('succeeded, then rolled back by rollback:isolate');
    expect(outcome['notify:resolved']).toBe('not started');
    expect(report.summary.steps).toBe(7);
    expect(report.summary.stepsByStatus).toEqual({
      succeeded: 3,
      'rolled-back': 1,
      skipped: 1,
      failed: 1,
      pending: 1,
    });
  });

  it('records who approved and who rejected what, with their reasons', () => {
    // Prepare
    const input = ec2Incident();

    // Act
    const report = buildReport(input, options);

    // Assess
    expect(report.approvals).toEqual([
      {
        stepId: 'isolate',
        action: 'contain.ec2-instance',
        decision: 'approved',
        by: 'alice',
        reason: 'confirmed C&C traffic',
        holdReasons: ['approval-required'],
        // Recorded before identities: the label alone.
        decidedBy: { by: 'alice', issuer: null, subject: null, at: null },
        requestedBy: null,
        approvals: [],
      },
      {
        stepId: 'console',
        action: 'contain.remove-login-profile',
        decision: 'rejected',
        by: 'bob',
        reason: 'break-glass user',
        holdReasons: ['approval-required'],
        decidedBy: { by: 'bob', issuer: null, subject: null, at: null },
        requestedBy: null,
        approvals: [],
      },
    ]);
    expect(report.summary).toMatchObject({ approvals: 1, rejections: 1 });
  });

  it('names requester and approvers with issuer and subject under the two-person rule', () => {
    // Prepare
    const input = twoPersonIncident();
    const { issuer } = people.alice;

    // Act
    const report = buildReport(input, options);

    // Assess
    expect(IncidentReport.parse(report)).toEqual(report);
    const block = report.approvals.find((a) => a.stepId === 'block');
    expect(block).toMatchObject({
      decision: 'approved',
      decidedBy: { by: 'Bob Approver <bob@example.test>', issuer, subject: 'op-bob' },
      requestedBy: { by: 'Alice Approver <alice@example.test>', issuer, subject: 'op-alice' },
      approvals: [{ subject: 'op-alice' }, { subject: 'op-bob' }],
    });
    expect(report.steps.find((s) => s.stepId === 'block')?.approval).toMatchObject({
      approvalsRequired: 2,
      approver: { issuer, subject: 'op-bob' },
    });
    expect(report.rollback).toMatchObject({
      requester: { by: 'Rita Responder <rita@example.test>', issuer, subject: 'op-rita' },
      approver: { by: 'Bob Approver <bob@example.test>', issuer, subject: 'op-bob' },
    });
    expect(report.approvals.find((a) => a.stepId === 'rollback:block')?.requestedBy).toMatchObject({
      subject: 'op-rita',
      at: '2026-11-22T11:00:00.000Z',
    });
    expect(report.incident.resolvedByPerson).toMatchObject({ issuer, subject: 'op-alice' });
    expect(report.incident.disposition).toEqual({
      disposition: 'false-positive',
      category: 'reconnaissance',
      decidedBy: {
        by: 'Alice Approver <alice@example.test>',
        issuer,
        subject: 'op-alice',
        at: '2026-11-22T12:00:00.000Z',
      },
      source: 'operator',
    });
    expect(report.summary.text).toContain('as false-positive (reconnaissance).');
    // Received 10:00:00, resolved 12:00:00.
    expect(report.metrics.timeToResolveSeconds).toBe(7200);
  });

  it('reports pre-state and the rollback status of every containment that succeeded', () => {
    // Prepare
    const input = ec2Incident();
    const withUnrolled = {
      ...input,
      steps: [
        ...input.steps,
        step('block', 'contain.block-ip', 7, { completedAt: '2026-11-22T10:00:40.000Z' }),
      ],
    };

    // Act
    const report = buildReport(withUnrolled, options);

    // Assess
    expect(report.rollback).toMatchObject({ requested: true, requestedBy: 'carol' });
    expect(report.rollback.containments).toEqual([
      {
        stepId: 'isolate',
        action: 'contain.ec2-instance',
        preStateRecorded: true,
        rollbackStatus: 'succeeded',
        rollbackStepId: 'rollback:isolate',
      },
      {
        stepId: 'block',
        action: 'contain.block-ip',
        preStateRecorded: false,
        rollbackStatus: 'impossible',
        rollbackStepId: null,
      },
    ]);
    const isolate = report.steps.find((s) => s.stepId === 'isolate');
    expect(isolate?.preState).toEqual({ enis: [{ id: 'eni-1', groups: ['sg-1'] }] });
  });

  it('computes this incident’s MTTI, MTTE and MTTR from detection receipt', () => {
    // Prepare
    const input = ec2Incident();

    // Act
    const report = buildReport(input, options);

    // Assess
    expect(report.metrics).toEqual({
      timeToIsolateSeconds: 20,
      timeToEvidenceSeconds: 90,
      timeToResolveSeconds: 7200,
      firstContainedAt: '2026-11-22T10:00:20.000Z',
      evidenceSealedAt: '2026-11-22T10:01:30.000Z',
    });
  });

  it('leaves MTTI and MTTE out for a dry run, and says nothing was contained', () => {
    // Prepare
    const input = ec2Incident({ dryRun: true });

    // Act
    const report = buildReport(input, options);

    // Assess
    expect(report.metrics.timeToIsolateSeconds).toBeNull();
    expect(report.metrics.timeToEvidenceSeconds).toBeNull();
    expect(report.metrics.timeToResolveSeconds).toBeNull();
    expect(report.phases.find((p) => p.phase === 'containment')).toMatchObject({ reached: false });
    expect(report.summary.text).toMatch(/^DRY RUN\./);
  });

  it('derives the NIST SP 800-61 phases from what happened', () => {
    // Prepare
    const resolved = ec2Incident();
    const open = ec2Incident({
      status: 'open',
      resolvedAt: undefined,
      resolvedBy: undefined,
      rollbackRequestedAt: undefined,
      firstContainedAt: undefined,
    });
    const openSteps = {
      ...open,
      steps: open.steps.filter((s) => !s.action.startsWith('contain.') && s.origin !== 'rollback'),
    };

    // Act
    const done = buildReport(resolved, options).phases;
    const early = buildReport(openSteps, options).phases;

    // Assess
    expect(done.map((p) => [p.phase, p.reached, p.at])).toEqual([
      ['detection-and-analysis', true, '2026-11-22T10:00:00.000Z'],
      ['containment', true, '2026-11-22T10:00:20.000Z'],
      ['eradication-and-recovery', true, '2026-11-22T11:00:30.000Z'],
      ['post-incident-activity', true, '2026-11-22T12:00:00.000Z'],
    ]);
    expect(done[2]?.basis).toContain('rollback rollback.ec2-instance succeeded (step rollback:isolate)');
    expect(early.map((p) => p.reached)).toEqual([true, false, false, false]);
  });

  it('counts a remediation as eradication, not containment', () => {
    // Prepare
    const base = ec2Incident({
      status: 'completed',
      resolvedAt: undefined,
      resolvedBy: undefined,
      firstContainedAt: undefined,
    });
    const input = {
      ...base,
      steps: [step('trail', 'contain.cloudtrail-logging', 0, { completedAt: '2026-11-22T10:05:00.000Z' })],
    };

    // Act
    const phases = buildReport(input, options).phases;

    // Assess
    expect(phases.find((p) => p.phase === 'containment')?.reached).toBe(false);
    expect(phases.find((p) => p.phase === 'eradication-and-recovery')).toMatchObject({
      reached: true,
      at: '2026-11-22T10:05:00.000Z',
    });
  });

  it('leaves out excluded steps and carries the verification it is given', () => {
    // Prepare
    const input = ec2Incident();
    const verification = verificationFrom(
      {
        bucket: 'evidence',
        ok: true,
        manifests: [
          { key: 'incidents/inc-1/manifests/000001-seal.json', sequence: 1, status: 'ok', reason: null },
        ],
        artifacts: [
          {
            key: 'incidents/inc-1/capture/instance.json',
            versionId: 'v1',
            status: 'match',
            expectedSha256: 'a'.repeat(64),
            manifest: 'incidents/inc-1/manifests/000001-seal.json',
            latestVersionId: null,
            latestDiffers: false,
          },
        ],
        problems: [],
      },
      '2026-11-22T12:00:05.000Z',
    );

    // Act
    const report = buildReport(input, {
      ...options,
      verification,
      excludeSteps: (s) => s.action === 'notify.incident',
    });

    // Assess
    expect(report.steps.some((s) => s.action === 'notify.incident')).toBe(false);
    expect(report.verification).toMatchObject({ status: 'verified', ok: true, bucket: 'evidence' });
    expect(report.verification.artifacts[0]).toMatchObject({ sha256: 'a'.repeat(64), status: 'match' });
  });

  it('says verification was not run when none is given', () => {
    // Prepare
    const input = ec2Incident();

    // Act
    const report = buildReport(input, options);

    // Assess
    expect(report.verification).toMatchObject({ status: 'not-run', ok: null });
  });
});
