import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageOf } from '@ir/contracts';
import { putSuppressionRule } from '@ir/suppression';
import { eventually, findingTypes, nativeFinding } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionService } from '../../src/service.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

const FILE_RULES = `
rules:
  - name: lab-region
    reason: The lab region is torn down nightly
    match:
      regions: [ap-southeast-2]
`;

/** The value of a metric of the service by one label (e.g. `{ origin: 'table' }`), 0 when absent. */
async function metricValue(
  metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  const found = values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v));
  return found?.value ?? 0;
}

describe('detection service, suppression rules re-read while it runs', () => {
  let fixture: DetectionFixture;
  let service: DetectionService;
  let file = '';
  beforeAll(async () => {
    fixture = await detectionFixture();
    const dir = await mkdtemp(join(tmpdir(), 'ir-live-rules-'));
    file = join(dir, 'suppressions.yaml');
    await writeFile(file, FILE_RULES);
    service = await fixture.start({ IR_SUPPRESSIONS_FILE: file, IR_SUPPRESSIONS_REFRESH_SECONDS: '1' });
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('suppresses with a rule written to the incident table after it started, without a restart', async () => {
    // Prepare: the rule the operator API writes (same store function), after detection started.
    const now = Date.now();
    expect(await metricValue(service.metrics.suppressionRules, { origin: 'table' })).toBe(0);
    const written = await putSuppressionRule(fixture.clients.dynamodb, fixture.system.tableName, {
      name: 'fp-live-rule',
      reason: 'Incident live-1 was a false positive',
      expiresAt: new Date(now + 86_400_000).toISOString(),
      createdAt: new Date(now).toISOString(),
      author: {
        by: 'Alice Approver <alice@ir.example.test>',
        actor: { issuer: 'https://idp.example.test', subject: 'op-alice' },
      },
      sourceIncidentId: 'live-1',
      match: { findingTypes: [findingTypes.portProbe], resources: ['ec2-instance:i-0live000000000001'] },
    });
    expect(written).toBe('written');
    await eventually(
      async () => (await metricValue(service.metrics.suppressionRules, { origin: 'table' })) === 1,
    );
    const matching = nativeFinding({
      findingId: 'live-matching',
      type: findingTypes.portProbe,
      resource: { kind: 'instance', instanceId: 'i-0live000000000001' },
    });
    const other = nativeFinding({
      findingId: 'live-other-resource',
      type: findingTypes.portProbe,
      resource: { kind: 'instance', instanceId: 'i-0live000000000002' },
    });
    // Act
    await fixture.sendFindings([JSON.stringify(matching), JSON.stringify(other)]);
    const [opened] = await fixture.coordinatorMessages(1);
    await eventually(async () => (await fixture.findingsCounted([service], 'suppressed')) >= 1);
    // Assess: the matching finding was suppressed by the table rule; only the other opened an incident.
    expect(await metricValue(service.metrics.suppressionsTotal, { rule: 'fp-live-rule' })).toBe(1);
    expect((opened as MessageOf<'incident.opened'>).payload.finding.id).toBe('live-other-resource');
    const loaded = fixture.lines.find(
      (line) => line.msg === 'suppression_rule_loaded' && line.rule === 'fp-live-rule',
    );
    expect(loaded).toMatchObject({ origin: 'table', author: 'Alice Approver <alice@ir.example.test>' });
    const resourceKeys = (await fixture.tableItems())
      .map((item) => String(item.pk))
      .filter((pk) => pk.startsWith('RESOURCE#'));
    expect(resourceKeys).toEqual([expect.stringContaining('i-0live000000000002')]);
  });

  it('keeps the last good file rules when the file turns invalid, and counts the failed reload', async () => {
    // Prepare
    const loadedBefore = await metricValue(service.metrics.suppressionRulesLoadedAt, { origin: 'file' });
    expect(loadedBefore).toBeGreaterThan(0);
    await writeFile(file, 'rules:\n  - name: lab-region\n    reason: [unclosed\n');
    await eventually(
      async () =>
        (await metricValue(service.metrics.suppressionReloadFailuresTotal, { origin: 'file' })) >= 1,
    );
    // Act
    await fixture.sendFindings([
      JSON.stringify(nativeFinding({ findingId: 'lab-1', region: 'ap-southeast-2' })),
    ]);
    await eventually(
      async () => (await metricValue(service.metrics.suppressionsTotal, { rule: 'lab-region' })) >= 1,
    );
    // Assess: still suppressed by the rule of the last good file, with the failure logged and counted once.
    expect(await metricValue(service.metrics.suppressionsTotal, { rule: 'lab-region' })).toBe(1);
    expect(await metricValue(service.metrics.suppressionRules, { origin: 'file' })).toBe(1);
    expect(await metricValue(service.metrics.suppressionReloadFailuresTotal, { origin: 'file' })).toBe(1);
    const failure = fixture.lines.find((line) => line.msg === 'suppression_rules_reload_failed');
    expect(failure).toMatchObject({
      origin: 'file',
      kept: 1,
      detail: expect.stringContaining('not valid YAML'),
    });
  });

  it('applies a fixed file again once it is valid', async () => {
    // Prepare
    await writeFile(
      file,
      `${FILE_RULES}  - name: sandbox-account\n    reason: Red-team sandbox\n    match:\n      accounts: ["111122223333"]\n`,
    );
    await eventually(
      async () => (await metricValue(service.metrics.suppressionRules, { origin: 'file' })) === 2,
    );
    // Act
    await fixture.sendFindings([
      JSON.stringify(nativeFinding({ findingId: 'sandbox-1', accountId: '111122223333' })),
    ]);
    await eventually(
      async () => (await metricValue(service.metrics.suppressionsTotal, { rule: 'sandbox-account' })) === 1,
    );
    // Assess
    expect(await metricValue(service.metrics.suppressionRules, { origin: 'table' })).toBe(1);
  });
});
