/**
 * The incident report end to end (issue 11): a completed ec2-compromise incident is resolved through
 * the coordinator API; the coordinator sends the report to forensics, which verifies the evidence,
 * stores report.json and report.md locked and sealed, and people are told (stage `reported`).
 * AWS state (the evidence bucket) is read back from the emulator.
 */
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import { IncidentReport } from '@ir/contracts';
import { eventually, findingTypes, isolatedAccount } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { type RunningSystem, startSystem } from '../support/system.js';

const REPORT_STEP = 'report:resolve';

describe('incident report on resolve, end to end', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    // The coordinator reads the evidence bucket (read-only) to verify evidence in live reports.
    const bucket = `ir-evidence-${account.accountId}`;
    system = await startSystem({
      endpoint,
      region,
      account,
      env: { 'response-coordinator': { IR_EVIDENCE_BUCKET: bucket } },
    });
    expect(system.boot.bucketName).toBe(bucket);
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it('stores a verified report listing every step, sealed, and notifies `reported`', async () => {
    // Prepare: a completed ec2-compromise incident
    const instance = await createTargetInstance(system.clients);
    const finding = instanceFinding(instance, {
      accountId: system.accountId,
      region: system.region,
      type: findingTypes.c2Dns,
      severity: 8,
    });
    await system.sendFinding(finding);
    const findingId = String(finding.detail.id);
    const completed = await waitForIncidentOf(
      system.api,
      findingId,
      (v) => v.incident.status === 'completed',
    );
    const { incidentId } = completed.incident;
    expect(completed.incident.playbookId).toBe('ec2-compromise');

    // Act
    await system.api.resolve(incidentId, {
      by: 'e2e-lead@example.com',
      reason: 'contained, evidence sealed',
      disposition: 'true-positive',
      category: 'unauthorized-access',
    });
    const done = await waitForIncidentOf(
      system.api,
      findingId,
      (v) =>
        v.incident.status === 'resolved' &&
        v.steps.some((s) => s.stepId === REPORT_STEP && s.status === 'succeeded') &&
        v.steps.some((s) => s.stepId === 'notify:reported' && s.status === 'succeeded'),
    );

    // Assess: report.json and report.md in the evidence bucket, locked
    const s3 = system.clients.s3;
    const bucket = system.boot.bucketName;
    const listed = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `incidents/${incidentId}/report-resolve/` }),
    );
    const keys = (listed.Versions ?? []).map((v) => v.Key ?? '').sort();
    expect(keys).toEqual([
      `incidents/${incidentId}/report-resolve/report.json`,
      `incidents/${incidentId}/report-resolve/report.md`,
    ]);
    const read = async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(object.ObjectLockMode, key).toBe('GOVERNANCE');
      return (await object.Body?.transformToString()) ?? '';
    };
    const [json, markdown] = await Promise.all(keys.map(read));
    const report = IncidentReport.parse(JSON.parse(json ?? '{}'));

    // Assess: every step of the incident (as it stood at resolve) with its outcome, and a verifier result
    const atResolve = done.steps.filter((s) => s.stepId !== REPORT_STEP && s.stepId !== 'notify:reported');
    expect(report.steps.map((s) => s.stepId)).toEqual(atResolve.map((s) => s.stepId));
    for (const step of report.steps)
      expect(markdown, step.stepId).toContain(step.stepId.replaceAll('_', '\\_'));
    expect(report.steps.find((s) => s.action === 'contain.ec2-instance')).toMatchObject({
      status: 'succeeded',
      preStateRecorded: true,
    });
    expect(report.verification).toMatchObject({ status: 'verified', ok: true, problems: [] });
    expect(report.verification.artifacts.length).toBeGreaterThan(0);
    expect(report.metrics.timeToIsolateSeconds).toBeGreaterThan(0);
    expect(report.metrics.timeToEvidenceSeconds).toBeGreaterThan(0);
    expect(report.phases.map((p) => p.reached)).toEqual([true, true, true, true]);
    expect(markdown).toContain('Verification: **verified**');

    // Assess: the report is sealed in a manifest chained to the incident's seal, and all verifies
    const signing = { kms: system.clients.kms, keyId: system.boot.signingKeyArn };
    const verification = await verifyEvidence({ s3, bucket, incidentId, signing });
    expect(verification.ok).toBe(true);
    const reportChecks = verification.artifacts.filter((a) => keys.includes(a.key));
    expect(reportChecks.map((a) => a.status)).toEqual(['match', 'match']);
    expect(verification.manifests.length).toBeGreaterThanOrEqual(2);
    expect(reportChecks.every((a) => a.manifest === verification.manifests.at(-1)?.key)).toBe(true);
    expect(stepOf(done, 'evidence.store-report').result).toMatchObject({
      verification: { status: 'verified', ok: true },
    });

    // Assess: people were told, through the local receivers
    await eventually(
      async () => system.receivers.of(incidentId).some((n) => n.stage === 'reported'),
      60_000,
      'a reported notification',
    );
  });
});
