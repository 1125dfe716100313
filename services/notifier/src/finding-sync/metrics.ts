import { Counter, type Registry } from 'prom-client';

/** Where a finding's workflow was changed (a bounded label set). */
export type SyncTarget = 'securityhub_v1' | 'securityhub_v2' | 'guardduty';

/** `ir_finding_sync_total{target,outcome}`: one count per finding and source per sync step. */
export function createFindingSyncMetrics(registry: Registry): Counter<'target' | 'outcome'> {
  return new Counter({
    name: 'ir_finding_sync_total',
    help: 'Findings marked at their source (Security Hub workflow, GuardDuty archive), by target and outcome (updated, already_in_state, would_update, failed).',
    labelNames: ['target', 'outcome'],
    registers: [registry],
  });
}
