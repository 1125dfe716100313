import { boundReportSize, buildReport } from '@ir/reporting';
import { describe, expect, it } from 'vitest';
import { ec2Incident } from '../support/incident.js';

const options = { generatedAt: '2026-11-22T12:00:00.000Z', generatedBy: 'response-coordinator' };
const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('boundReportSize', () => {
  it('returns a report that fits unchanged', () => {
    // Prepare
    const report = buildReport(ec2Incident(), options);

    // Act
    const bounded = boundReportSize(report, 1_000_000);

    // Assess
    expect(bounded).toBe(report);
    expect(bounded.timelineTruncated).toBeNull();
  });

  it('truncates the timeline, keeps every step, and says what was left out', () => {
    // Prepare
    const input = ec2Incident();
    const timeline = Array.from({ length: 3000 }, (_, i) => ({
      at: new Date(Date.parse('2026-11-22T10:00:00.000Z') + i * 1000).toISOString(),
      kind: 'step-dispatched',
      stepId: `s-${i}`,
      detail: { note: 'x'.repeat(100) },
    }));
    const report = buildReport({ ...input, timeline }, options);
    const bound = 100 * 1024;

    // Act
    const bounded = boundReportSize(report, bound);

    // Assess
    expect(size(report)).toBeGreaterThan(bound);
    expect(size(bounded)).toBeLessThanOrEqual(bound);
    expect(bounded.steps).toHaveLength(report.steps.length);
    expect(bounded.timelineTruncated?.omitted).toBe(3000 - bounded.timeline.length);
    expect(bounded.timelineTruncated?.reason).toContain(`exceeded ${bound} bytes`);
    expect(bounded.timeline[0]).toMatchObject({ at: '2026-11-22T10:00:00.000Z', detail: null });
  });

  it('drops only the timeline details when that is enough', () => {
    // Prepare
    const input = ec2Incident();
    const timeline = Array.from({ length: 50 }, (_, i) => ({
      at: `2026-11-22T10:00:${String(i).padStart(2, '0')}.000Z`,
      kind: 'step-dispatched',
      detail: { blob: 'y'.repeat(2000) },
    }));
    const report = buildReport({ ...input, timeline }, options);

    // Act
    const bounded = boundReportSize(report, 60 * 1024);

    // Assess
    expect(bounded.timeline).toHaveLength(50);
    expect(bounded.timelineTruncated).toMatchObject({ omitted: 0 });
    expect(bounded.timeline.every((entry) => entry.detail === null)).toBe(true);
  });
});
