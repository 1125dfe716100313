/**
 * The severity matrix's LOW and MEDIUM rows, end to end (issue 21, seed 003): a GuardDuty finding
 * about an EC2 instance, through the five services as separate processes against the emulator. LOW
 * tags the instance with the incident and notifies; MEDIUM also collects and seals evidence. Neither
 * contains: the tag step is no containment (no MTTI, no blast-radius slot).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import { eventually, findingTypes } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { incidentSnapshots, readInstanceState } from '../support/instance-state.js';
import type { RunningSystem } from '../support/system.js';

describe('LOW and MEDIUM EC2 findings: tag, evidence, notify (end to end)', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await systemInIsolatedAccount();
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  /** The incident's evidence object keys in the evidence bucket, read back from the emulator. */
  async function evidenceKeys(incidentId: string): Promise<string[]> {
    const output = await system.clients.s3.send(
      new ListObjectsV2Command({ Bucket: system.boot.bucketName, Prefix: `incidents/${incidentId}/` }),
    );
    return (output.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
  }

  it('tags the instance with the incident id and band at LOW and MEDIUM; MEDIUM also stores and seals evidence', async () => {
    // Prepare
    const where = { accountId: system.accountId, region: system.region };
    const lowInstance = await createTargetInstance(system.clients);
    const mediumInstance = await createTargetInstance(system.clients);
    const low = instanceFinding(lowInstance, { ...where, type: findingTypes.c2Dns, severity: 2 });
    const medium = instanceFinding(mediumInstance, { ...where, type: findingTypes.c2Dns, severity: 5 });
    const beforeLow = await readInstanceState(system.clients, lowInstance.instanceId);
    const beforeMedium = await readInstanceState(system.clients, mediumInstance.instanceId);

    // Act
    await system.sendFinding(low);
    await system.sendFinding(medium);
    const done = (v: { incident: { status: string } }) => v.incident.status === 'completed';
    const [lowView, mediumView] = await Promise.all([
      waitForIncidentOf(system.api, String(low.detail.id), done),
      waitForIncidentOf(system.api, String(medium.detail.id), done),
    ]);

    // Assess: the incidents, as the coordinator recorded them
    for (const [view, band] of [
      [lowView, 'LOW'],
      [mediumView, 'MEDIUM'],
    ] as const) {
      expect(view.incident.playbookId).toBe('ec2-compromise');
      expect(view.incident.severityBand).toBe(band);
      expect(stepOf(view, 'contain.tag-incident').status).toBe('succeeded');
      expect(view.steps.some((step) => step.containment)).toBe(false);
      expect(view.incident.firstContainedAt).toBeUndefined();
    }
    // Assess: the tags, read back from the emulator; nothing else about the instances changed
    const afterLow = await readInstanceState(system.clients, lowInstance.instanceId);
    const afterMedium = await readInstanceState(system.clients, mediumInstance.instanceId);
    expect(afterLow).toEqual({
      ...beforeLow,
      irTags: { 'ir:incident-id': lowView.incident.incidentId, 'ir:severity': 'LOW' },
    });
    expect(afterMedium).toEqual({
      ...beforeMedium,
      irTags: { 'ir:incident-id': mediumView.incident.incidentId, 'ir:severity': 'MEDIUM' },
    });
    // Assess: MEDIUM collected evidence (disk snapshots, which LOW does not take), stored and sealed
    expect(await incidentSnapshots(system.clients, lowView.incident.incidentId)).toEqual([]);
    expect(
      (await incidentSnapshots(system.clients, mediumView.incident.incidentId)).length,
    ).toBeGreaterThanOrEqual(1);
    expect(stepOf(mediumView, 'evidence.snapshot-volumes').status).toBe('succeeded');
    expect((await evidenceKeys(mediumView.incident.incidentId)).length).toBeGreaterThan(0);
    const report = await verifyEvidence({
      s3: system.clients.s3,
      bucket: system.boot.bucketName,
      incidentId: mediumView.incident.incidentId,
      signing: { kms: system.clients.kms, keyId: system.boot.signingKeyArn },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Assess: people were told of both (opened), and of MEDIUM's sealed evidence
    await eventually(
      () => {
        const stages = (incidentId: string) =>
          new Set(system.receivers.of(incidentId).map((n) => `${n.channel}:${n.stage}`));
        return (
          stages(lowView.incident.incidentId).has('webhook:opened') &&
          stages(mediumView.incident.incidentId).has('webhook:opened') &&
          stages(mediumView.incident.incidentId).has('webhook:evidence-sealed')
        );
      },
      30_000,
      'opened for LOW and MEDIUM, evidence-sealed for MEDIUM, on the webhook',
    );
  });

  it('no service exited on its own during the run, and all are healthy', async () => {
    // Prepare: the test above ran against this system
    // Act
    const problems = await system.health();
    // Assess
    expect(system.unexpectedExits).toEqual([]);
    expect(problems).toEqual([]);
  });
});
