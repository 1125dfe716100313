import type { IncidentSummary } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import {
  distinct,
  filterIncidents,
  filtersFromQuery,
  filtersToQuery,
  openBySeverity,
} from '../../src/filters.js';

/** An incident as `GET /incidents` lists it, with the fields the filters read set by the test. */
function incident(overrides: Partial<IncidentSummary> & { incidentId: string }): IncidentSummary {
  return {
    correlationId: `corr-${overrides.incidentId}`,
    status: 'open',
    playbookId: 'ec2-compromise',
    severityBand: 'HIGH',
    dryRun: false,
    receivedAt: '2026-12-07T01:00:00.000Z',
    openedAt: '2026-12-07T01:00:00.000Z',
    updatedAt: '2026-12-07T01:00:00.000Z',
    summary: `Finding of ${overrides.incidentId}`,
    target: { accountId: '111111111111', region: 'eu-west-1' },
    suppressionUnevaluated: false,
    findings: [],
    resources: [],
    protectedResources: [],
    notes: [],
    version: 1,
    ...overrides,
  };
}

const incidents = [
  incident({
    incidentId: 'a',
    status: 'open',
    severityBand: 'CRITICAL',
    openedAt: '2026-12-07T03:00:00.000Z',
  }),
  incident({
    incidentId: 'b',
    status: 'needs-attention',
    severityBand: 'HIGH',
    target: { accountId: '222222222222', region: 'us-east-1' },
  }),
  incident({ incidentId: 'c', status: 'resolved', severityBand: 'LOW', playbookId: 'iam-key-exposed' }),
  incident({
    incidentId: 'd',
    status: 'completed',
    severityBand: 'HIGH',
    openedAt: '2026-12-07T02:30:00.000Z',
  }),
];
const ids = (list: readonly IncidentSummary[]) => list.map((i) => i.incidentId);

describe('filterIncidents', () => {
  it('passes everything, in order, without filters', () => {
    expect(ids(filterIncidents(incidents, {}))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('filters by status, severity band, account, playbook and opening time, all together', () => {
    expect(ids(filterIncidents(incidents, { status: 'resolved' }))).toEqual(['c']);
    expect(ids(filterIncidents(incidents, { band: 'HIGH' }))).toEqual(['b', 'd']);
    expect(ids(filterIncidents(incidents, { accountId: '222222222222' }))).toEqual(['b']);
    expect(ids(filterIncidents(incidents, { playbookId: 'iam-key-exposed' }))).toEqual(['c']);
    expect(ids(filterIncidents(incidents, { openedAfter: '2026-12-07T02:30:00.000Z' }))).toEqual(['a', 'd']);
    expect(
      ids(
        filterIncidents(incidents, {
          band: 'HIGH',
          accountId: '111111111111',
          openedAfter: '2026-12-07T02:00:00Z',
        }),
      ),
    ).toEqual(['d']);
  });
});

describe('filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filters = {
      status: 'open',
      band: 'CRITICAL',
      accountId: '111111111111',
      playbookId: 'ec2-compromise',
      openedAfter: '2026-12-07T02:00:00.000Z',
    } as const;

    const query = filtersToQuery(filters);

    expect(query).toBe(
      'status=open&band=CRITICAL&account=111111111111&playbook=ec2-compromise&after=2026-12-07T02%3A00%3A00.000Z',
    );
    expect(filtersFromQuery(new URLSearchParams(query))).toEqual(filters);
  });

  it('drops unknown statuses and bands, blank values and unreadable times', () => {
    const filters = filtersFromQuery(
      new URLSearchParams('status=pwned&band=huge&account=%20&after=yesterday'),
    );

    expect(filters).toEqual({});
  });
});

describe('overview helpers', () => {
  it('counts open (not resolved) incidents per band, every band present', () => {
    expect(openBySeverity(incidents)).toEqual({ LOW: 0, MEDIUM: 0, HIGH: 2, CRITICAL: 1 });
  });

  it('lists distinct values sorted', () => {
    expect(distinct(['b', 'a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});
