import type { IncidentStatus, IncidentSummary, SeverityBand } from '@ir/contracts';

/** The incident list's filters; an absent field does not filter. */
export interface IncidentFilters {
  readonly status?: IncidentStatus;
  readonly band?: SeverityBand;
  readonly accountId?: string;
  readonly playbookId?: string;
  /** ISO-8601: only incidents opened at or after this moment. */
  readonly openedAfter?: string;
}

/** Every incident status, in lifecycle order (for the status filter). */
export const INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'open',
  'needs-attention',
  'completed',
  'rolling-back',
  'rolled-back',
  'resolved',
];

/** Severity bands, lowest first. */
export const SEVERITY_BANDS: readonly SeverityBand[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

const isStatus = (v: string | null): v is IncidentStatus =>
  v !== null && (INCIDENT_STATUSES as readonly string[]).includes(v);
const isBand = (v: string | null): v is SeverityBand =>
  v !== null && (SEVERITY_BANDS as readonly string[]).includes(v);

/**
 * The filters of a list URL's query (`?status&band&account&playbook&after`). Why in the URL: a filtered
 * list can be bookmarked and shared, and Back returns to it. Unknown values are dropped.
 */
export function filtersFromQuery(query: URLSearchParams): IncidentFilters {
  const status = query.get('status');
  const band = query.get('band');
  const account = query.get('account')?.trim();
  const playbook = query.get('playbook')?.trim();
  const after = query.get('after');
  const afterTime = after ? Date.parse(after) : Number.NaN;
  return {
    ...(isStatus(status) ? { status } : {}),
    ...(isBand(band) ? { band } : {}),
    ...(account ? { accountId: account } : {}),
    ...(playbook ? { playbookId: playbook } : {}),
    ...(Number.isNaN(afterTime) ? {} : { openedAfter: new Date(afterTime).toISOString() }),
  };
}

/** The query string of `filters` (inverse of {@link filtersFromQuery}), without a leading `?`. */
export function filtersToQuery(filters: IncidentFilters): string {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.band) query.set('band', filters.band);
  if (filters.accountId) query.set('account', filters.accountId);
  if (filters.playbookId) query.set('playbook', filters.playbookId);
  if (filters.openedAfter) query.set('after', filters.openedAfter);
  return query.toString();
}

/** The incidents that pass every filter, in their original order. */
export function filterIncidents<T extends IncidentSummary>(
  incidents: readonly T[],
  filters: IncidentFilters,
): T[] {
  const after = filters.openedAfter ? Date.parse(filters.openedAfter) : undefined;
  return incidents.filter(
    (incident) =>
      (!filters.status || incident.status === filters.status) &&
      (!filters.band || incident.severityBand === filters.band) &&
      (!filters.accountId || incident.target.accountId === filters.accountId) &&
      (!filters.playbookId || incident.playbookId === filters.playbookId) &&
      (after === undefined || Date.parse(incident.openedAt) >= after),
  );
}

/** The distinct values of one field, sorted (the choices of the account and playbook filters). */
export function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}

/** Open incidents (anything not resolved) counted per severity band, every band present. */
export function openBySeverity(incidents: readonly IncidentSummary[]): Record<SeverityBand, number> {
  const counts: Record<SeverityBand, number> = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
  for (const incident of incidents) if (incident.status !== 'resolved') counts[incident.severityBand] += 1;
  return counts;
}
