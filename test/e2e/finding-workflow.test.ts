/**
 * Closing the loop end to end (issue 21) on the emulator, with the finding sync on
 * (`IR_FINDING_SYNC=on`, GuardDuty archive of false positives on): a Security Hub finding about an
 * instance, as EventBridge delivers it and as Security Hub holds it (imported into the emulator with
 * BatchImportFindings), opens an incident that is contained; the incident is resolved as a false
 * positive with its category, through the operator API.
 *
 * moto 5.2.5 has no BatchUpdateFindings (it answers 404) and no GuardDuty findings API, so here the
 * sync must FAIL, say so, and change nothing else: containment and the resolve go through, the
 * incident never waits on it, and GetFindings reads the finding back still NEW (no false success).
 * The successful update, its read-back and idempotence are covered on recorded real responses in
 * services/notifier/test/unit/finding-sync/.
 */
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { findingTypes, isolatedAccount, securityHubImportedEvent } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTargetInstance, instanceResource } from '../support/findings.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { type RunningSystem, startSystem } from '../support/system.js';

describe('finding workflow sync and dispositions, end to end on the emulator', () => {
  let system: RunningSystem;
  let securityHub: SecurityHubClient;
  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    system = await startSystem({
      endpoint,
      region,
      account,
      env: {
        'response-coordinator': { IR_FINDING_SYNC: 'on', IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: 'true' },
      },
    });
    securityHub = new SecurityHubClient({ endpoint, region, credentials: account.credentials });
  }, 300_000);
  afterAll(async () => {
    securityHub?.destroy();
    await system?.stop();
  }, 120_000);

  it('contains and resolves with the disposition while the sync the emulator cannot do fails, says why, and leaves the finding NEW', async () => {
    // Prepare: the instance, and its finding both in Security Hub and on its way through EventBridge.
    const instance = await createTargetInstance(system.clients);
    const event = securityHubImportedEvent({
      accountId: system.accountId,
      region: system.region,
      type: findingTypes.c2Dns,
      severity: 8,
      resource: instanceResource(instance),
    });
    const asff = event.detail.findings[0] as { Id: string; ProductArn: string };
    const imported = await securityHub.send(new BatchImportFindingsCommand({ Findings: [asff] as never }));
    expect(imported.SuccessCount).toBe(1);

    // Act: the finding arrives; the incident is contained.
    await system.sendFinding(event);
    const completed = await waitForIncidentOf(
      system.api,
      asff.Id,
      (v) =>
        v.incident.status === 'completed' &&
        ['failed', 'timed-out'].includes(stepOf(v, 'notify.finding-workflow').status),
    );
    const { incidentId } = completed.incident;
    // Act: an operator resolves it as a false positive.
    await system.api.resolve(incidentId, {
      reason: 'our own scanner',
      disposition: 'false-positive',
      category: 'reconnaissance',
    });
    const resolved = await waitForIncidentOf(
      system.api,
      asff.Id,
      (v) =>
        v.incident.status === 'resolved' &&
        ['failed', 'timed-out', 'succeeded'].includes(
          v.steps.find((s) => s.stepId === 'finding-sync:resolved')?.status ?? '',
        ),
    );
    const readBack = await securityHub.send(
      new GetFindingsCommand({ Filters: { Id: [{ Value: asff.Id, Comparison: 'EQUALS' }] } }),
    );

    // Assess: containment happened, unaffected by the sync.
    const contained = completed.steps.filter((s) => s.containment && s.status === 'succeeded');
    expect(contained.length).toBeGreaterThan(0);
    expect(completed.incident.firstContainedAt).toBeDefined();
    // The opened sync asked for NOTIFIED with a note naming the incident, and failed saying why.
    const opened = completed.steps.find((s) => s.stepId === 'finding-sync:opened');
    expect(opened?.params).toMatchObject({
      phase: 'opened',
      workflowStatus: 'NOTIFIED',
      findings: [{ id: asff.Id, securityHub: { api: 'v1', productArn: asff.ProductArn, id: asff.Id } }],
    });
    expect(String(opened?.params.note)).toContain(incidentId);
    expect(opened?.status).toBe('failed');
    expect(opened?.failure?.reason).toContain(asff.Id);
    expect(
      completed.timeline.some((e) => e.kind === 'step-failed' && e.stepId === 'finding-sync:opened'),
    ).toBe(true);
    // The resolve: SUPPRESSED for a false positive, GuardDuty archive asked for; recorded disposition.
    const closing = resolved.steps.find((s) => s.stepId === 'finding-sync:resolved');
    expect(closing?.params).toMatchObject({ workflowStatus: 'SUPPRESSED', archiveGuardDuty: true });
    expect(closing?.status).toBe('failed');
    expect(resolved.incident.disposition).toMatchObject({
      disposition: 'false-positive',
      category: 'reconnaissance',
      source: 'operator',
    });
    // No false success: Security Hub still holds the finding as NEW.
    const held = readBack.Findings?.find((f) => f.Id === asff.Id);
    expect(held?.Workflow?.Status).toBe('NEW');
  });
});
