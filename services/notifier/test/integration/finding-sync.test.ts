import {
  BatchImportFindingsCommand,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { PayloadOf } from '@ir/contracts';
import { baseClientConfig } from '@ir/runtime';
import { type ServiceHarness, serviceHarness } from '@ir/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FINDING_SYNC_FAILED } from '../../src/handlers/notify-finding-workflow.js';
import { createService } from '../../src/service.js';

/*
 * The notifier's finding sync on the emulator. moto 5.2.5 imports and reads ASFF findings
 * (BatchImportFindings, GetFindings) but has no BatchUpdateFindings route: it answers the update with
 * an error. The step must then fail, naming the finding and that error, and the finding must read
 * back with its workflow untouched: no false success (TRAPS 16). The update itself, V2 and GuardDuty
 * are covered on documented responses in test/unit/finding-sync.
 */
describe('notify.finding-workflow on the emulator', () => {
  let harness: ServiceHarness;
  let securityHub: SecurityHubClient;
  let productArn: string;
  const registry = new Registry();
  const findingId = `ir-test/finding-sync/${Date.now()}`;

  beforeAll(async () => {
    harness = await serviceHarness({
      endpoint: inject('awsEndpoint'),
      steps: { producer: 'response-coordinator', playbookId: 'ec2-compromise', answerTimeoutMs: 40_000 },
    });
    const { account, region } = harness;
    securityHub = new SecurityHubClient(
      baseClientConfig({ endpoint: harness.endpoint, region, credentials: account.credentials }),
    );
    await securityHub.send(new EnableSecurityHubCommand({}));
    productArn = `arn:aws:securityhub:${region}:${account.accountId}:product/${account.accountId}/default`;
    const now = new Date().toISOString();
    await securityHub.send(
      new BatchImportFindingsCommand({
        Findings: [
          {
            SchemaVersion: '2018-10-08',
            Id: findingId,
            ProductArn: productArn,
            GeneratorId: 'ir-test',
            AwsAccountId: account.accountId,
            Types: ['TTPs/Command and Control'],
            CreatedAt: now,
            UpdatedAt: now,
            Severity: { Label: 'HIGH' },
            Title: 'Instance talks to a known command and control server',
            Description: 'A finding imported by the finding sync test.',
            Resources: [
              { Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${region}:${account.accountId}:instance/i-0abc` },
            ],
          },
        ],
      }),
    );
    const config = loadConfig(
      harness.workerEnv({ IR_NOTIFY_ROUTES: '/unused/routes.yaml', IR_STEP_MAX_ATTEMPTS: '2' }),
    );
    await harness.start(
      createService(config, {
        ...harness.serviceDeps('notifier'),
        registry,
        // No channel is configured: this test sends only finding sync commands.
        routing: { routes: [], fallbacks: {} },
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await harness?.stop();
    securityHub?.destroy();
  });

  async function workflowStatus(): Promise<string | undefined> {
    const output = await securityHub.send(
      new GetFindingsCommand({ Filters: { Id: [{ Value: findingId, Comparison: 'EQUALS' }] } }),
    );
    const finding = output.Findings?.find((f) => f.Id === findingId);
    expect(finding).toBeDefined();
    return finding?.Workflow?.Status;
  }

  it('fails the step with the emulator error and leaves the finding as it was (no false success)', async () => {
    // Prepare
    const before = await workflowStatus();
    const params: PayloadOf<'notify.finding-workflow'>['params'] = {
      phase: 'opened',
      workflowStatus: 'NOTIFIED',
      note: 'Incident inc-sync-1 opened by automated incident response | irctl show inc-sync-1',
      noteUpdatedBy: 'automated incident response',
      findings: [
        {
          source: 'securityhub',
          id: findingId,
          accountId: harness.account.accountId,
          region: harness.region,
          securityHub: { api: 'v1', productArn, id: findingId },
        },
      ],
      archiveGuardDuty: false,
    };

    // Act
    const answer = await harness.runStep('notifier', 'notify.finding-workflow', params, {
      stepId: 'finding-sync:opened',
      timeoutSeconds: 60,
    });

    // Assess
    expect(answer.type).toBe('step.failed');
    if (answer.type !== 'step.failed') return;
    expect(answer.payload.errorName).toBe(FINDING_SYNC_FAILED);
    expect(answer.payload.reason).toContain(`Security Hub finding ${findingId}`);
    // moto has no BatchUpdateFindings route: it answers HTTP 404 with an HTML page.
    expect(answer.payload.reason).toContain('(HTTP 404)');
    expect(answer.payload.detail).toMatchObject({
      phase: 'opened',
      findings: [{ id: findingId, securityHub: { api: 'v1', outcome: 'failed' } }],
    });
    expect(await workflowStatus()).toBe(before);
    expect(before).not.toBe('NOTIFIED');
    const failures = (await registry.getSingleMetric('ir_finding_sync_total')?.get())?.values.find(
      (v) => v.labels.target === 'securityhub_v1' && v.labels.outcome === 'failed',
    );
    expect(failures?.value).toBe(1);
  }, 90_000);
});
