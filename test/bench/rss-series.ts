import { readFileSync } from 'node:fs';

/** One reading of a process's resident memory, `seconds` after sampling started. */
export interface RssSample {
  readonly seconds: number;
  readonly rssMb: number;
}

/** A running sampler; `stop()` ends it and returns every reading, oldest first. */
export interface RssSampler {
  /** The latest reading (for progress lines: a run stopped early still shows where it got to). */
  latest(): RssSample | undefined;
  stop(): RssSample[];
}

/** Current resident set size in MiB from `VmRSS` in /proc/<pid>/status text; undefined if absent. */
export function vmRssMb(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
}

/**
 * Samples a process's RSS every `everyMs` (and once at the start and at `stop()`). Why a series and
 * not the peak: the storm's question is whether the emulator GROWS with the findings handled (a leak
 * makes the run slower and slower until the machine swaps), which one number cannot show. Reads
 * /proc synchronously: one small file, a few times a minute. A process that is gone is skipped.
 */
export function sampleRss(pid: number, everyMs = 30_000): RssSampler {
  const started = Date.now();
  const samples: RssSample[] = [];
  const read = () => {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return;
    }
    const rssMb = vmRssMb(status);
    if (rssMb !== undefined) samples.push({ seconds: Math.round((Date.now() - started) / 1000), rssMb });
  };
  read();
  const timer = setInterval(read, everyMs);
  timer.unref();
  return {
    latest: () => samples.at(-1),
    stop() {
      clearInterval(timer);
      read();
      return samples;
    },
  };
}

/** `0s 120 · 30s 480 · 60s 910 MiB`: the series on one line, for the table. */
export function formatRssSeries(samples: readonly RssSample[]): string {
  if (samples.length === 0) return 'not sampled';
  return `${samples.map((sample) => `${sample.seconds}s ${Math.round(sample.rssMb)}`).join(' · ')} MiB`;
}

/**
 * MiB gained per 1,000 units of work (findings) between the first and the last sample: flat
 * (near 0) when memory is bounded, large when the emulator keeps what it handled.
 */
export function growthPerThousand(samples: readonly RssSample[], work: number): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || work <= 0) return 0;
  return Math.round(((last.rssMb - first.rssMb) / work) * 1000 * 10) / 10;
}
