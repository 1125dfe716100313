import type { IncidentRecord } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { durationPercentiles, percentile, responseTimes } from '../../../src/console/response-times.js';

/** An incident record with what the statistics read; the rest is filler. */
function record(
  incidentId: string,
  times: { receivedAt: string; contained?: string; sealed?: string; dryRun?: boolean },
): IncidentRecord {
  return {
    incidentId,
    correlationId: `corr-${incidentId}`,
    status: 'open',
    playbookId: 'ec2-compromise',
    severityBand: 'HIGH',
    dryRun: times.dryRun ?? false,
    receivedAt: times.receivedAt,
    openedAt: times.receivedAt,
    updatedAt: times.receivedAt,
    summary: 's',
    target: { accountId: '111122223333', region: 'eu-west-1' },
    suppressionUnevaluated: false,
    findings: [],
    resources: [],
    protectedResources: [],
    notes: [],
    ...(times.contained ? { firstContainedAt: times.contained } : {}),
    ...(times.sealed ? { evidenceSealedAt: times.sealed } : {}),
  };
}

describe('percentile (nearest rank)', () => {
  it('answers null for no values and the value itself for one', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 95)).toBe(7);
  });

  it('picks the smallest value with at least p % at or below it, whatever the input order', () => {
    // Prepare: 1..20 shuffled.
    const values = [13, 2, 20, 7, 1, 19, 4, 11, 16, 9, 3, 18, 6, 15, 10, 5, 17, 8, 14, 12];
    // Act / Assess: rank ceil(0.5·20) = 10, ceil(0.95·20) = 19.
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(values[0]).toBe(13); // the input is not sorted in place
  });

  it('answers an observed duration, never an interpolation', () => {
    expect(percentile([1, 100], 50)).toBe(1);
    expect(percentile([1, 100], 95)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it('refuses a percentile outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('gives p50, p95 and the count together', () => {
    expect(durationPercentiles([])).toEqual({ p50: null, p95: null, count: 0 });
    expect(durationPercentiles([30, 10, 20])).toEqual({ p50: 20, p95: 30, count: 3 });
  });
});

describe('responseTimes (MTTI and MTTE from incident records)', () => {
  it('measures from the first finding received to the first containment and to the seal, as the metrics do', () => {
    // Prepare
    const incidents = [
      record('a', {
        receivedAt: '2026-12-07T01:00:00.000Z',
        contained: '2026-12-07T01:00:30.000Z',
        sealed: '2026-12-07T01:02:00.000Z',
      }),
      record('b', { receivedAt: '2026-12-07T02:00:00.000Z', contained: '2026-12-07T02:00:10.500Z' }),
      record('c', { receivedAt: '2026-12-07T03:00:00.000Z' }),
      // A dry run contains nothing: left out, as the histograms leave it out.
      record('d', {
        receivedAt: '2026-12-07T04:00:00.000Z',
        contained: '2026-12-07T04:00:01.000Z',
        sealed: '2026-12-07T04:00:02.000Z',
        dryRun: true,
      }),
    ];
    // Act
    const { mtti, mtte } = responseTimes(incidents);
    // Assess
    expect(mtti).toEqual({ p50: 10.5, p95: 30, count: 2 });
    expect(mtte).toEqual({ p50: 120, p95: 120, count: 1 });
  });

  it('answers null percentiles when nothing was contained or sealed', () => {
    const { mtti, mtte } = responseTimes([record('c', { receivedAt: '2026-12-07T03:00:00.000Z' })]);
    expect(mtti).toEqual({ p50: null, p95: null, count: 0 });
    expect(mtte).toEqual({ p50: null, p95: null, count: 0 });
  });

  it('never answers a negative duration when clocks disagree', () => {
    const skewed = record('e', {
      receivedAt: '2026-12-07T05:00:05.000Z',
      contained: '2026-12-07T05:00:00.000Z',
    });
    expect(responseTimes([skewed]).mtti.p50).toBe(0);
  });
});
