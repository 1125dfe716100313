import type { Finding } from '@ir/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReEmissionThrottle } from '../../src/coalescing/re-emission-throttle.js';

const INTERVAL_MS = 60_000;

function version(count: number, overrides: Partial<Finding> = {}): Finding {
  return {
    source: 'guardduty',
    id: 'f-1',
    type: 'Backdoor:EC2/C&CActivity.B!DNS',
    title: 'c2',
    severity: { score: 5, band: 'MEDIUM' },
    accountId: '123456789012',
    region: 'eu-west-1',
    createdAt: '2024-12-31T00:00:00.000Z',
    updatedAt: new Date(Date.UTC(2024, 11, 31, 0, count)).toISOString(),
    count,
    sample: false,
    resources: [{ kind: 'ec2-instance', instanceId: 'i-1', tags: {}, networkInterfaces: [] }],
    raw: {},
    ...overrides,
  };
}

/** The forwards the throttle made, by count, in the order it made them. */
function recorder() {
  const forwarded: number[] = [];
  const forward = (finding: Finding) => async () => {
    forwarded.push(finding.count);
  };
  return { forwarded, forward };
}

describe('createReEmissionThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forwards the first re-emission, holds the rest of the interval and forwards only the newest when it ends', async () => {
    // Prepare
    const { forwarded, forward } = recorder();
    const released: number[] = [];
    const throttle = createReEmissionThrottle({
      intervalMs: INTERVAL_MS,
      onReleased: (finding) => released.push(finding.count),
      onReleaseFailed: () => {},
    });
    // Act
    const decisions = [2, 3, 5, 4].map((count) => {
      const finding = version(count);
      return throttle.offer('k', finding, forward(finding));
    });
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    const beforeTheEnd = [...released];
    await vi.advanceTimersByTimeAsync(1);
    // Assess: version 4 arrived after 5 and did not replace it
    expect(decisions).toEqual(['forwarded', 'held', 'held', 'held']);
    expect(beforeTheEnd).toEqual([]);
    expect(released).toEqual([5]);
    expect(forwarded).toEqual([5]);
  });

  it('forwards at once a re-emission whose severity band or resources changed, dropping the one held', async () => {
    // Prepare
    const { forwarded, forward } = recorder();
    const throttle = createReEmissionThrottle({ intervalMs: INTERVAL_MS, onReleaseFailed: () => {} });
    const first = version(2);
    throttle.offer('k', first, forward(first));
    const held = version(3);
    const raised = version(4, { severity: { score: 8, band: 'HIGH' } });
    const spread = version(5, {
      severity: { score: 8, band: 'HIGH' },
      resources: [
        { kind: 'ec2-instance', instanceId: 'i-1', tags: {}, networkInterfaces: [] },
        { kind: 'ec2-instance', instanceId: 'i-2', tags: {}, networkInterfaces: [] },
      ],
    });
    // Act
    const decisions = [held, raised, spread].map((finding) => throttle.offer('k', finding, forward(finding)));
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    // Assess: the throttle forwarded none itself; held version 3 was superseded by 4
    expect(decisions).toEqual(['held', 'forwarded', 'forwarded']);
    expect(forwarded).toEqual([]);
    expect(throttle.size).toBe(0);
  });

  it('keeps a held version newer than a raised one offered after it, and forwards it when the interval ends', async () => {
    // Prepare: versions 9 and 10 handled at once; 10 is offered first (held), then 9 with a raised band
    const { forwarded, forward } = recorder();
    const throttle = createReEmissionThrottle({ intervalMs: INTERVAL_MS, onReleaseFailed: () => {} });
    const first = version(2);
    throttle.offer('k', first, forward(first));
    const newest = version(10);
    const raised = version(9, { severity: { score: 8, band: 'HIGH' } });
    // Act
    const decisions = [
      throttle.offer('k', newest, forward(newest)),
      throttle.offer('k', raised, forward(raised)),
    ];
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    // Assess
    expect(decisions).toEqual(['held', 'forwarded']);
    expect(forwarded).toEqual([10]);
  });

  it('tracks each finding on its own and forgets one after a quiet interval', async () => {
    // Prepare
    const { forwarded, forward } = recorder();
    const throttle = createReEmissionThrottle({ intervalMs: INTERVAL_MS, onReleaseFailed: () => {} });
    // Act
    const a = version(2);
    const b = version(7, { id: 'f-2' });
    const decisions = [throttle.offer('a', a, forward(a)), throttle.offer('b', b, forward(b))];
    const tracked = throttle.size;
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    const later = version(3);
    const afterQuiet = throttle.offer('a', later, forward(later));
    // Assess
    expect(decisions).toEqual(['forwarded', 'forwarded']);
    expect(tracked).toBe(2);
    expect(afterQuiet).toBe('forwarded');
    expect(forwarded).toEqual([]);
    expect(throttle.size).toBe(1);
  });

  it('on flush forwards what is held at once, and forwards everything offered after', async () => {
    // Prepare
    const { forwarded, forward } = recorder();
    const throttle = createReEmissionThrottle({ intervalMs: INTERVAL_MS, onReleaseFailed: () => {} });
    for (const count of [2, 3]) {
      const finding = version(count);
      throttle.offer('k', finding, forward(finding));
    }
    // Act
    await throttle.flush();
    const late = version(4);
    const afterFlush = throttle.offer('k', late, forward(late));
    // Assess
    expect(forwarded).toEqual([3]);
    expect(afterFlush).toBe('forwarded');
    expect(throttle.size).toBe(0);
  });

  it('reports a held forward that failed, and forwards the next re-emission at once', async () => {
    // Prepare
    const failures: string[] = [];
    const throttle = createReEmissionThrottle({
      intervalMs: INTERVAL_MS,
      onReleaseFailed: (error, finding) => failures.push(`${finding.count}: ${(error as Error).message}`),
    });
    throttle.offer('k', version(2), async () => {});
    throttle.offer('k', version(3), async () => {
      throw new Error('SQS refused');
    });
    // Act
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    const next = throttle.offer('k', version(4), async () => {});
    // Assess
    expect(failures).toEqual(['3: SQS refused']);
    expect(next).toBe('forwarded');
  });

  it('with an interval of 0 forwards every re-emission', () => {
    const throttle = createReEmissionThrottle({ intervalMs: 0, onReleaseFailed: () => {} });
    const decisions = [2, 3, 4].map((count) => throttle.offer('k', version(count), async () => {}));
    expect(decisions).toEqual(['forwarded', 'forwarded', 'forwarded']);
    expect(throttle.size).toBe(0);
  });
});
