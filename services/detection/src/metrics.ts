import { Counter, Gauge, type Registry } from 'prom-client';

/** What happened to one finding; a closed set (it is a metric label). */
export const FindingOutcome = {
  accepted: 'accepted',
  coalesced: 'coalesced',
  suppressed: 'suppressed',
  sample: 'sample',
  rejected: 'rejected',
} as const;
/** @see FindingOutcome */
export type FindingOutcome = (typeof FindingOutcome)[keyof typeof FindingOutcome];

/** The detection service's own metrics, registered on the runtime's registry. */
export interface DetectionMetrics {
  /** `source` is guardduty, securityhub, native, ocsf or unknown (unparseable input). */
  readonly findingsTotal: Counter<'source' | 'outcome'>;
  /** `rule` is a rule name from the suppression file or table: bounded by the rules written. */
  readonly suppressionsTotal: Counter<'rule'>;
  /**
   * Redeliveries of a finding version already recorded (at-least-once delivery). Kept out of
   * `ir_findings_total` so that counter counts findings, not deliveries.
   */
  readonly duplicatesTotal: Counter<'source'>;
  /**
   * Re-emissions of a recorded finding, by `handling`: `forwarded` to the coordinator at once, or
   * `held` for the end of the finding's IR_REEMISSION_FORWARD_SECONDS interval.
   */
  readonly reEmissionsTotal: Counter<'handling'>;
  /** Held re-emissions published when their interval ended, by `result` (`published`, `failed`). */
  readonly reEmissionsReleasedTotal: Counter<'result'>;
  /** Findings whose suppression could not be evaluated and were escalated instead (TRAPS 17). */
  readonly suppressionErrorsTotal: Counter<'rule'>;
  /** Rules in force now (not expired), by `origin` (`file`, `table`). */
  readonly suppressionRules: Gauge<'origin'>;
  /**
   * When the rules of an origin in use were last read successfully (Unix seconds); it stops moving
   * while that origin's re-reads fail (an invalid file, an unreadable table).
   */
  readonly suppressionRulesLoadedAt: Gauge<'origin'>;
  /** Re-reads that failed (bad YAML, table unreadable); the rules already loaded were kept. */
  readonly suppressionReloadFailuresTotal: Counter<'origin'>;
}

/** Registers the detection metrics on `registry`. */
export function createDetectionMetrics(registry: Registry): DetectionMetrics {
  return {
    findingsTotal: new Counter({
      name: 'ir_findings_total',
      help: 'Findings received, by source and outcome (accepted, coalesced, suppressed, sample, rejected).',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    suppressionsTotal: new Counter({
      name: 'ir_suppressions_total',
      help: 'Findings suppressed, by suppression rule.',
      labelNames: ['rule'],
      registers: [registry],
    }),
    duplicatesTotal: new Counter({
      name: 'ir_finding_duplicates_total',
      help: 'Redelivered findings already recorded at the same version; not counted again in ir_findings_total.',
      labelNames: ['source'],
      registers: [registry],
    }),
    reEmissionsTotal: new Counter({
      name: 'ir_finding_reemissions_total',
      help: 'Re-emissions of a recorded finding, by handling: forwarded at once, or held for the end of its interval.',
      labelNames: ['handling'],
      registers: [registry],
    }),
    reEmissionsReleasedTotal: new Counter({
      name: 'ir_finding_reemissions_released_total',
      help: 'Held re-emissions published when their interval ended, by result (published, failed).',
      labelNames: ['result'],
      registers: [registry],
    }),
    suppressionErrorsTotal: new Counter({
      name: 'ir_suppression_errors_total',
      help: 'Findings whose suppression rules threw; they were opened as incidents with a flag.',
      labelNames: ['rule'],
      registers: [registry],
    }),
    suppressionRules: new Gauge({
      name: 'ir_suppression_rules',
      help: 'Suppression rules in force (not expired), by origin (file, table).',
      labelNames: ['origin'],
      registers: [registry],
    }),
    suppressionRulesLoadedAt: new Gauge({
      name: 'ir_suppression_rules_loaded_timestamp_seconds',
      help: 'When the suppression rules of an origin were last read successfully, in Unix seconds.',
      labelNames: ['origin'],
      registers: [registry],
    }),
    suppressionReloadFailuresTotal: new Counter({
      name: 'ir_suppression_reload_failures_total',
      help: 'Re-reads of the suppression rules that failed, by origin; the rules already loaded were kept.',
      labelNames: ['origin'],
      registers: [registry],
    }),
  };
}
