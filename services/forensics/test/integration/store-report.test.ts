import { GetObjectCommand } from '@aws-sdk/client-s3';
import { IncidentReport } from '@ir/contracts';
import { buildReport, type ReportStepInput } from '@ir/reporting';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceManifest } from '@ir/evidence';
import { verifyEvidence } from '@ir/evidence';
import { hashVersion, incidentVersions, readJson, retentionOf } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture, type StepResult } from './harness.js';

const REPORT_STEP = 'report:resolve';

interface StoredFile {
  key: string;
  versionId: string;
  sha256: string;
  reused: boolean;
}
interface StoreReportResult {
  report: { json: StoredFile; markdown: StoredFile };
  manifest: { key: string; sequence: number };
  verification: { status: string; ok: boolean | null };
  reused: boolean;
}

function succeeded<T>(result: StepResult): T {
  if (result.type !== 'step.succeeded') throw new Error(`step failed: ${result.payload.reason}`);
  return result.payload.result as T;
}

/** The report the coordinator would send on resolve, for the fixture's incident. */
function reportFor(incidentId: string, accountId: string, region: string) {
  const target = { accountId, region };
  const step = (stepId: string, action: string, order: number): ReportStepInput => ({
    stepId,
    action,
    queue: 'forensics',
    target,
    approval: 'none',
    containment: false,
    sealsEvidence: action === 'evidence.seal',
    origin: 'playbook',
    order,
    status: 'succeeded',
    holdReasons: [],
    completedAt: new Date().toISOString(),
  });
  const now = new Date().toISOString();
  return buildReport(
    {
      incident: {
        incidentId,
        correlationId: incidentId,
        status: 'resolved',
        playbookId: 'ec2-compromise',
        severityBand: 'HIGH',
        dryRun: false,
        receivedAt: now,
        openedAt: now,
        summary: 'Backdoor | <b>on</b> the test instance',
        target,
        findings: [],
        notes: [],
        evidenceSealedAt: now,
        resolvedAt: now,
        resolvedBy: 'lead@example.com',
      },
      steps: [step('capture-instance', 'evidence.capture-instance', 0), step('seal', 'evidence.seal', 1)],
      timeline: [{ at: now, kind: 'incident-opened' }],
    },
    { generatedAt: now, generatedBy: 'response-coordinator' },
  );
}

describe('forensics service: evidence.store-report (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let sealKey: string;
  let stored: StoreReportResult;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const instance = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds });
    succeeded(await fixture.run('evidence.capture-instance', { instanceId: instance.instanceId }));
    sealKey = succeeded<{ manifest: { key: string } }>(
      await fixture.run('evidence.seal', {}, { stepId: 'seal' }),
    ).manifest.key;
    const report = reportFor(fixture.incidentId, fixture.account.accountId, fixture.region);
    stored = succeeded(await fixture.run('evidence.store-report', { report }, { stepId: REPORT_STEP }));
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('stores report.json and report.md locked, with the SHA-256 it reports', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;

    // Act
    const files = [stored.report.json, stored.report.markdown];

    // Assess
    expect(files.map((f) => f.key.split('/').at(-1))).toEqual(['report.json', 'report.md']);
    for (const file of files) {
      expect(await hashVersion(fixture.clients.s3, bucket, file.key, file.versionId), file.key).toBe(
        file.sha256,
      );
      const retention = await retentionOf(fixture.clients.s3, bucket, file.key, file.versionId);
      expect(retention.mode, file.key).toBe('GOVERNANCE');
      expect(retention.until?.getTime(), file.key).toBeGreaterThan(Date.now());
    }
  });

  it('seals them in a new manifest chained to the previous one', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;

    // Act
    const manifest = await readJson<EvidenceManifest>(fixture.clients.s3, bucket, stored.manifest.key);

    // Assess
    expect(manifest.sequence).toBe(2);
    expect(manifest.previous?.key).toBe(sealKey);
    const sealed = Object.fromEntries(manifest.artifacts.map((a) => [a.key, a.sha256]));
    expect(sealed[stored.report.json.key]).toBe(stored.report.json.sha256);
    expect(sealed[stored.report.markdown.key]).toBe(stored.report.markdown.sha256);
  });

  it('carries the verifier’s result in the stored report, and the whole chain verifies', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const object = await fixture.clients.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: stored.report.json.key }),
    );

    // Act
    const report = IncidentReport.parse(JSON.parse((await object.Body?.transformToString()) ?? '{}'));
    const verification = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });

    // Assess
    expect(report.verification).toMatchObject({ status: 'verified', ok: true, bucket });
    expect(report.verification.manifests.map((m) => m.key)).toEqual([sealKey]);
    expect(report.steps.map((s) => s.stepId)).toEqual(['capture-instance', 'seal']);
    expect(stored.verification).toEqual({ status: 'verified', ok: true, problems: 0 });
    expect(verification.ok).toBe(true);
    expect(verification.manifests).toHaveLength(2);
  });

  it('is idempotent: a second delivery stores and seals nothing new', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const before = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);
    const report = reportFor(fixture.incidentId, fixture.account.accountId, fixture.region);

    // Act
    const again = succeeded<StoreReportResult>(
      await fixture.run('evidence.store-report', { report }, { stepId: REPORT_STEP }),
    );

    // Assess
    const after = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);
    expect(after).toHaveLength(before.length);
    expect(again.report.json).toMatchObject({
      key: stored.report.json.key,
      versionId: stored.report.json.versionId,
      reused: true,
    });
    expect(again.report.markdown.sha256).toBe(stored.report.markdown.sha256);
    expect(again.manifest.key).toBe(stored.manifest.key);
  });

  it('writes nothing in a dry run, and says what it would write', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const incidentId = `${fixture.incidentId}-dry`;
    const report = reportFor(incidentId, fixture.account.accountId, fixture.region);

    // Act
    const result = await fixture.run(
      'evidence.store-report',
      { report },
      { stepId: REPORT_STEP, dryRun: true, incidentId },
    );

    // Assess
    const outcome = succeeded<{ dryRun: boolean; wouldWrite: string[] }>(result);
    expect(outcome.dryRun).toBe(true);
    expect(outcome.wouldWrite[0]).toContain('report.json');
    expect(await incidentVersions(fixture.clients.s3, bucket, incidentId)).toEqual([]);
  });

  it('fails the step, with a reason, for a report about another incident', async () => {
    // Prepare
    const report = reportFor('inc-someone-else', fixture.account.accountId, fixture.region);

    // Act
    const result = await fixture.run('evidence.store-report', { report }, { stepId: 'report:other' });

    // Assess
    expect(result.type).toBe('step.failed');
    if (result.type === 'step.failed') expect(result.payload.reason).toContain('inc-someone-else');
  });
});
