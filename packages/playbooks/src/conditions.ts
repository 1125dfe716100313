import {
  bandAtLeast,
  ConnectionDirection,
  type Finding,
  FindingSource,
  ResourceKindName,
  SeverityBand,
} from '@ir/contracts';
import { z } from 'zod';
import { matchesAny } from './glob.js';
import type { PlanContext } from './variables.js';

const Patterns = z.array(z.string().min(1)).min(1);
const UserTypes = z.array(z.string().min(1)).min(1);

/**
 * Which findings a playbook handles. Every field given must hold (AND); inside a list, any entry may
 * match (OR). Finding-type patterns use `*` and `?` (see `compileGlob`). An empty match matches
 * every finding: only `generic` may have one.
 */
export const PlaybookMatch = z.strictObject({
  /** The finding names at least one resource of one of these kinds. */
  resourceKinds: z.array(ResourceKindName).min(1).optional(),
  findingTypes: Patterns.optional(),
  /**
   * Security Hub control ids (`EC2.13`, `S3.*`), as patterns. An alternative to `findingTypes`: when
   * both are given, either may match. A control finding whose compliance status is not `FAILED`
   * (e.g. `PASSED`: the control is satisfied again) never matches by its control id.
   */
  controlIds: Patterns.optional(),
  excludeFindingTypes: Patterns.optional(),
  sources: z.array(FindingSource).min(1).optional(),
  minSeverity: SeverityBand.optional(),
  /** The connection direction seen from the resource (findings without one do not match). */
  directions: z.array(ConnectionDirection).min(1).optional(),
  /** At least one IAM principal of the finding has one of these GuardDuty user types. */
  userTypes: UserTypes.optional(),
  /** `true`: the finding names at least one remote IP. */
  remoteIp: z.boolean().optional(),
});
/** @see PlaybookMatch */
export type PlaybookMatch = z.infer<typeof PlaybookMatch>;

/**
 * When a step applies (`when:`). Why conditions beyond severity: the same IAM finding type names a
 * user, a role or the root user, and each needs a different containment.
 */
export const StepCondition = z.strictObject({
  minSeverity: SeverityBand.optional(),
  maxSeverity: SeverityBand.optional(),
  bands: z.array(SeverityBand).min(1).optional(),
  findingTypes: Patterns.optional(),
  excludeFindingTypes: Patterns.optional(),
  directions: z.array(ConnectionDirection).min(1).optional(),
  /** The step's principal (it must fan out over `principal`) has one of these user types. */
  userTypes: UserTypes.optional(),
});
/** @see StepCondition */
export type StepCondition = z.infer<typeof StepCondition>;

/** True when `finding` (classified as `band`) is one the playbook handles. */
export function matchesFinding(match: PlaybookMatch, finding: Finding, band: SeverityBand): boolean {
  const kinds = match.resourceKinds;
  if (kinds && !finding.resources.some((resource) => kinds.includes(resource.kind))) return false;
  if (match.sources && !match.sources.includes(finding.source)) return false;
  if (match.minSeverity && !bandAtLeast(band, match.minSeverity)) return false;
  if (!typeOrControlMatches(match, finding)) return false;
  if (!directionMatches(match.directions, finding)) return false;
  if (match.remoteIp === true && (finding.network?.remoteIps ?? []).length === 0) return false;
  const userTypes = match.userTypes;
  if (userTypes) {
    const principals = finding.resources.filter((resource) => resource.kind === 'iam-access-key');
    if (!principals.some((principal) => userTypes.includes(principal.userType))) return false;
  }
  return true;
}

/**
 * True when a step's condition holds. With `itemsKnown: false` (a fan-out with no items), conditions
 * on the items are not evaluated: the caller then reports the missing items instead.
 */
export function conditionHolds(
  when: StepCondition | undefined,
  context: PlanContext,
  itemsKnown = true,
): boolean {
  if (!when) return true;
  const { band, finding } = context;
  if (when.minSeverity && !bandAtLeast(band, when.minSeverity)) return false;
  if (when.maxSeverity && !bandAtLeast(when.maxSeverity, band)) return false;
  if (when.bands && !when.bands.includes(band)) return false;
  if (!typeMatches(when, finding.type)) return false;
  if (!directionMatches(when.directions, finding)) return false;
  if (when.userTypes && itemsKnown) {
    const userType = context.items.principal?.userType;
    if (userType === undefined || !when.userTypes.includes(userType)) return false;
  }
  return true;
}

/** `findingTypes` or `controlIds` (either, when both are given); `excludeFindingTypes` always applies. */
function typeOrControlMatches(match: PlaybookMatch, finding: Finding): boolean {
  if (!match.controlIds) return typeMatches(match, finding.type);
  if (match.excludeFindingTypes && matchesAny(match.excludeFindingTypes, finding.type)) return false;
  const byType = match.findingTypes !== undefined && matchesAny(match.findingTypes, finding.type);
  return byType || controlMatches(match.controlIds, finding);
}

/** The finding is a failed control finding whose control id matches one of `patterns`. */
function controlMatches(patterns: string[], finding: Finding): boolean {
  if (finding.controlId === undefined) return false;
  if (finding.complianceStatus !== undefined && finding.complianceStatus !== 'FAILED') return false;
  return matchesAny(patterns, finding.controlId);
}

function typeMatches(
  condition: { findingTypes?: string[] | undefined; excludeFindingTypes?: string[] | undefined },
  type: string,
): boolean {
  if (condition.findingTypes && !matchesAny(condition.findingTypes, type)) return false;
  return !(condition.excludeFindingTypes && matchesAny(condition.excludeFindingTypes, type));
}

function directionMatches(directions: ConnectionDirection[] | undefined, finding: Finding): boolean {
  if (!directions) return true;
  const direction = finding.network?.direction;
  return direction !== undefined && directions.includes(direction);
}
