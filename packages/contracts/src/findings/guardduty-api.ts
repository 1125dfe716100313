import type { Finding } from '../finding.js';
import { findingFromGuardDutyDetail } from './guardduty-detail.js';
import { isRecord, noResource, type PathStyle } from './shared.js';

/**
 * Parses findings as GuardDuty's GetFindings returns them (PascalCase): either one finding or the
 * whole `{ Findings: [...] }` response. Each finding is re-keyed to camelCase and shares the
 * EventBridge normaliser; errors still name the PascalCase field (`Service.AdditionalInfo.Value`).
 */
export function parseGuardDutyApi(input: unknown): Finding[] {
  if (isRecord(input) && Array.isArray(input.Findings)) {
    if (input.Findings.length === 0)
      noResource({ path: 'Findings', message: 'the response holds no finding' });
    return input.Findings.map((finding, index) =>
      parseOne(finding, { prefix: ['Findings', index], rename: pascal }),
    );
  }
  return [parseOne(input, { prefix: [], rename: pascal })];
}

function parseOne(finding: unknown, style: PathStyle): Finding {
  return findingFromGuardDutyDetail(camelKeys(finding), finding, style);
}

/**
 * Lower-cases the first letter of every key, recursively. Safe for GuardDuty because its user data
 * (tags) comes as `[{Key, Value}]` lists, never as map keys.
 */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.charAt(0).toLowerCase() + key.slice(1),
      camelKeys(inner),
    ]),
  );
}

function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}
