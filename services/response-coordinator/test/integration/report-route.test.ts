import { IncidentReport } from '@ir/contracts';
import { createLogger } from '@ir/runtime';
import { findingTypes } from '@ir/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorService, createService } from '../../src/service.js';
import { REPORT_STEP_ID } from '../../src/report/report-step.js';
import { coordinatorFixture, type Fixture, finding, STATIC_TOKEN_ACTOR, TEST_TOKEN } from './harness.js';
import { playWorkers } from './worker-double.js';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

describe('GET /incidents/:id/report and the report step on resolve (on the emulator)', () => {
  let fixture: Fixture;
  let base: string;
  let verifying: CoordinatorService;
  let verifyingBase: string;
  const incidentId = 'inc-report';

  beforeAll(async () => {
    fixture = await coordinatorFixture();
    base = (await fixture.start()).base;
    // A second replica with the evidence bucket and signing key configured: its report runs the
    // verifier (read-only).
    verifying = await createService(
      {
        ...fixture.config,
        IR_EVIDENCE_BUCKET: fixture.system.bucketName,
        IR_EVIDENCE_SIGNING_KEY: fixture.system.signingKeyArn,
      },
      {
        credentials: fixture.account.credentials,
        registry: new Registry(),
        logger: createLogger({ service: 'response-coordinator', level: 'silent' }),
        sweep: false,
      },
    );
    verifyingBase = `http://127.0.0.1:${(await verifying.start()).port}`;

    await fixture.open(incidentId, finding({ type: findingTypes.c2Dns, severity: 2 }));
    await playWorkers(fixture, incidentId, { until: (status) => status === 'completed', what: 'completed' });
    const resolved = await fetch(`${base}/incidents/${incidentId}/resolve`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        reason: 'contained and understood',
        disposition: 'true-positive',
        category: 'cryptomining',
      }),
    });
    expect(resolved.status).toBe(202);
    await playWorkers(fixture, incidentId, {
      until: (status, steps) =>
        status === 'resolved' &&
        steps[REPORT_STEP_ID] === 'succeeded' &&
        steps['notify:reported'] === 'succeeded',
      what: 'report stored and reported',
    });
  });
  afterAll(async () => {
    await verifying?.stop();
    await fixture.stop();
  });

  it('sends the report of every step to forensics on resolve, then a `reported` notification', async () => {
    // Prepare
    const aggregate = await fixture.incident(incidentId);

    // Act
    const command = fixture.seen.find(
      (c) => c.incidentId === incidentId && c.type === 'evidence.store-report',
    );
    const reported = fixture.seen.find(
      (c) => c.incidentId === incidentId && c.payload.stepId === 'notify:reported',
    );

    // Assess
    const report = IncidentReport.parse(command?.payload.params.report);
    const planned = aggregate?.steps.filter(
      (s) => s.stepId !== REPORT_STEP_ID && s.stepId !== 'notify:reported',
    );
    expect(report.steps.map((s) => s.stepId)).toEqual(planned?.map((s) => s.stepId));
    expect(report.incident).toMatchObject({ status: 'resolved', resolvedBy: STATIC_TOKEN_ACTOR });
    expect(report.phases.find((p) => p.phase === 'post-incident-activity')?.reached).toBe(true);
    expect(reported?.payload.params).toMatchObject({ stage: 'reported' });
  });

  it('serves the live report as JSON with every step, saying verification is not configured', async () => {
    // Prepare
    const aggregate = await fixture.incident(incidentId);

    // Act
    const response = await fetch(`${base}/incidents/${incidentId}/report`, { headers: auth });

    // Assess
    expect(response.status).toBe(200);
    const report = IncidentReport.parse(await response.json());
    expect(report.steps.map((s) => s.stepId)).toEqual(aggregate?.steps.map((s) => s.stepId));
    expect(report.steps.find((s) => s.stepId === REPORT_STEP_ID)?.status).toBe('succeeded');
    expect(report.verification).toMatchObject({ status: 'not-configured', ok: null });
    expect(report.timeline.some((entry) => entry.kind === 'incident-resolved')).toBe(true);
  });

  it('runs the evidence verifier when the coordinator has the evidence bucket', async () => {
    // Prepare: the replica configured with IR_EVIDENCE_BUCKET; the worker doubles stored no evidence,
    // so the real verifier, reading the emulator's bucket, must find no manifest.

    // Act
    const response = await fetch(`${verifyingBase}/incidents/${incidentId}/report`, { headers: auth });

    // Assess
    expect(response.status).toBe(200);
    const report = IncidentReport.parse(await response.json());
    expect(report.verification).toMatchObject({ status: 'problems', ok: false });
    expect(report.verification.problems).toEqual([
      `no manifest found under incidents/${incidentId}/manifests/`,
    ]);
    expect(report.verification.bucket).toBe(fixture.system.bucketName);
    expect(report.verification.checkedAt).not.toBeNull();
  });

  it('renders Markdown on ?format=markdown', async () => {
    // Prepare
    const url = `${base}/incidents/${incidentId}/report?format=markdown`;

    // Act
    const response = await fetch(url, { headers: auth });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/markdown');
    const markdown = await response.text();
    expect(markdown).toContain(`# Incident report: ${incidentId}`);
    expect(markdown).toContain('## Steps');
    expect(markdown).toContain('verification not configured');
  });

  it('counts served reports by format and verification status', async () => {
    // Prepare
    await fetch(`${base}/incidents/${incidentId}/report?format=markdown`, { headers: auth });

    // Act
    const metrics = await (await fetch(`${base}/metrics`)).text();

    // Assess
    expect(metrics).toMatch(
      /ir_reports_served_total\{format="markdown",verification="not-configured"[^}]*\} [1-9]/,
    );
  });

  it('refuses without the token, and answers 404 and 400 for unknown incidents and formats', async () => {
    // Prepare
    const url = (id: string, query = '') => `${base}/incidents/${id}/report${query}`;

    // Act
    const [unauthenticated, missing, badFormat] = await Promise.all([
      fetch(url(incidentId)),
      fetch(url('inc-none'), { headers: auth }),
      fetch(url(incidentId, '?format=pdf'), { headers: auth }),
    ]);

    // Assess
    expect(unauthenticated.status).toBe(401);
    expect(missing.status).toBe(404);
    expect(badFormat.status).toBe(400);
  });
});
