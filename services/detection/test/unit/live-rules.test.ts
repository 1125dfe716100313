import type { StoredSuppressionRule } from '@ir/contracts';
import { createLogger } from '@ir/runtime';
import { findingTypes, nativeFinding } from '@ir/testkit';
import { parseFindings } from '@ir/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createDetectionMetrics } from '../../src/metrics.js';
import { loadLiveRules } from '../../src/suppression/live-rules.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

const tableRule: StoredSuppressionRule = {
  name: 'fp-probe',
  reason: 'a false positive',
  expiresAt: '2026-06-30T00:00:00.000Z',
  createdAt: '2026-05-31T00:00:00.000Z',
  author: { by: 'Alice', actor: { issuer: 'https://idp.example.test', subject: 'op-alice' } },
  match: { findingTypes: [findingTypes.portProbe] },
};

describe('loadLiveRules', () => {
  it('keeps the last good table rules when the table cannot be read, and counts the failure', async () => {
    // Prepare: the table answers once, then fails (a throttled or denied Query).
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'detection',
      destination: {
        write(line: string) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
          return true;
        },
      } as unknown as NodeJS.WritableStream,
    });
    const metrics = createDetectionMetrics(new Registry());
    let reads = 0;
    const readTable = async () => {
      reads += 1;
      if (reads > 1) throw new Error('ProvisionedThroughputExceededException: slow down');
      return [tableRule];
    };
    const rules = await loadLiveRules({ readTable, metrics, logger, now: () => NOW });
    const [probe] = parseFindings(nativeFinding({ type: findingTypes.portProbe }));
    if (!probe) throw new Error('no finding');
    // Act
    await rules.refresh();
    await rules.refresh();
    const verdict = rules.suppressor.evaluate(probe, NOW);
    // Assess
    expect(verdict).toMatchObject({ kind: 'suppressed', rule: { name: 'fp-probe' } });
    expect((await metrics.suppressionReloadFailuresTotal.get()).values).toEqual([
      expect.objectContaining({ labels: { origin: 'table' }, value: 2 }),
    ]);
    expect((await metrics.suppressionRules.get()).values).toContainEqual(
      expect.objectContaining({ labels: { origin: 'table' }, value: 1 }),
    );
    expect(lines.filter((line) => line.msg === 'suppression_rules_reload_failed')).toHaveLength(2);
    await rules.stop();
  });

  it('does not count an expired rule as in force, and drops a rule removed from the table', async () => {
    // Prepare
    const logger = createLogger({ service: 'detection', level: 'silent' });
    const metrics = createDetectionMetrics(new Registry());
    let table: StoredSuppressionRule[] = [
      tableRule,
      { ...tableRule, name: 'old', expiresAt: '2026-05-01T00:00:00.000Z' },
    ];
    const rules = await loadLiveRules({ readTable: async () => table, metrics, logger, now: () => NOW });
    const [probe] = parseFindings(nativeFinding({ type: findingTypes.portProbe }));
    if (!probe) throw new Error('no finding');
    const inForce = (await metrics.suppressionRules.get()).values.find(
      (v) => v.labels.origin === 'table',
    )?.value;
    // Act
    table = [];
    await rules.refresh();
    // Assess
    expect(inForce).toBe(1);
    expect(rules.suppressor.evaluate(probe, NOW)).toEqual({ kind: 'kept' });
    expect(rules.suppressor.rules).toEqual([]);
  });
});
