import { describe, expect, it } from 'vitest';
import { formatRssSeries, growthPerThousand, sampleRss, vmRssMb } from './rss-series.js';

describe('the emulator RSS series', () => {
  it('reads VmRSS from /proc/<pid>/status text', () => {
    expect(vmRssMb('Name:\tpython\nVmHWM:\t  900000 kB\nVmRSS:\t  524288 kB\nThreads:\t4\n')).toBe(512);
    expect(vmRssMb('Name:\tkthreadd\n')).toBeUndefined();
  });

  it('samples a live process at the start and at stop', () => {
    // Act: this test's own process, read from /proc as the bench reads the emulator's.
    const sampler = sampleRss(process.pid, 60_000);
    const first = sampler.latest();
    const samples = sampler.stop();
    // Assess
    expect(first).toEqual(samples[0]);
    expect(samples).toHaveLength(2);
    expect(samples[0]?.rssMb).toBeGreaterThan(1);
  });

  it('prints the series on one line and the growth per 1,000 findings', () => {
    const samples = [
      { seconds: 0, rssMb: 120 },
      { seconds: 30, rssMb: 480.4 },
      { seconds: 60, rssMb: 920 },
    ];
    expect(formatRssSeries(samples)).toBe('0s 120 · 30s 480 · 60s 920 MiB');
    expect(formatRssSeries([])).toBe('not sampled');
    expect(growthPerThousand(samples, 2000)).toBe(400);
    expect(growthPerThousand([], 2000)).toBe(0);
  });
});
