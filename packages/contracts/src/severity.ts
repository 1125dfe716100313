import { z } from 'zod';

/**
 * Severity bands, lowest first. Why GuardDuty's bands: they are what operators already read, and
 * Security Hub labels map onto them one to one (INFORMATIONAL folds into LOW).
 */
export const SeverityBand = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
/** @see SeverityBand */
export type SeverityBand = z.infer<typeof SeverityBand>;

/** Security Hub's `Severity.Label` values (ASFF). */
export const SecurityHubSeverityLabel = z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
/** @see SecurityHubSeverityLabel */
export type SecurityHubSeverityLabel = z.infer<typeof SecurityHubSeverityLabel>;

/** Lower bound of each band on GuardDuty's 0–10 scale; decided by `>=`, so 6.9 is MEDIUM and 7.0 HIGH. */
export const bandThresholds = { MEDIUM: 4, HIGH: 7, CRITICAL: 9 } as const;

/**
 * A score that stands for each band when the source gives only a label (Security Hub without
 * `Normalized`, native findings written as `"HIGH"`). Each lies inside its band.
 */
export const representativeScores = { LOW: 2, MEDIUM: 5, HIGH: 8, CRITICAL: 9.5 } as const satisfies Record<
  SeverityBand,
  number
>;

const bandOrder: Record<SeverityBand, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

/**
 * GuardDuty band for a 0–10 score (GuardDuty sends floats such as 8.0 or 5.3).
 * Scores below 1 (outside GuardDuty's documented range) count as LOW.
 */
export function bandFromScore(score: number): SeverityBand {
  if (score >= bandThresholds.CRITICAL) return 'CRITICAL';
  if (score >= bandThresholds.HIGH) return 'HIGH';
  if (score >= bandThresholds.MEDIUM) return 'MEDIUM';
  return 'LOW';
}

/** Band for a Security Hub label; INFORMATIONAL is LOW. */
export function bandFromSecurityHubLabel(label: SecurityHubSeverityLabel): SeverityBand {
  return label === 'INFORMATIONAL' ? 'LOW' : label;
}

/** The score that stands for a band; see `representativeScores`. */
export function representativeScore(band: SeverityBand): number {
  return representativeScores[band];
}

/** Sort comparator: negative when `a` is less severe than `b`, 0 when equal. */
export function compareBands(a: SeverityBand, b: SeverityBand): number {
  return bandOrder[a] - bandOrder[b];
}

/** True when `band` is `minimum` or more severe (e.g. for "HIGH and above" playbook conditions). */
export function bandAtLeast(band: SeverityBand, minimum: SeverityBand): boolean {
  return compareBands(band, minimum) >= 0;
}
