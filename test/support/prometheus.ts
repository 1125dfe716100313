/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the text exposition format (comments skipped; label values unescaped for `\"` and `\\`). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = (pair[2] ?? '').replace(/\\(["\\])/g, '$1');
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every sample named `name` whose labels include `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && matches(sample.labels, where))
    .reduce((total, sample) => total + sample.value, 0);
}

function matches(labels: Readonly<Record<string, string>>, where: Record<string, string>): boolean {
  return Object.entries(where).every(([key, value]) => labels[key] === value);
}

/** A histogram summed over its label sets: cumulative buckets by upper bound, count and sum. */
export interface Histogram {
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly count: number;
  readonly sum: number;
}

/** Reads histogram `name` (e.g. `ir_time_to_isolate_seconds`), summed over every label set. */
export function histogramOf(samples: readonly Sample[], name: string): Histogram {
  const byBound = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket`) continue;
    const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
  }
  return {
    buckets: [...byBound.entries()].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count })),
    count: sumOf(samples, `${name}_count`),
    sum: sumOf(samples, `${name}_sum`),
  };
}

/**
 * The q-quantile of a histogram as Prometheus' `histogram_quantile` estimates it: linear
 * interpolation inside the bucket the rank falls in. NaN for an empty histogram.
 */
export function histogramQuantile(q: number, histogram: Histogram): number {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of histogram.buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      return inBucket === 0
        ? bucket.le
        : lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

/** The bucket bounds `(lower, upper]` a value falls in: how far an estimate may honestly be off. */
export function bucketBounds(histogram: Histogram, value: number): { lower: number; upper: number } {
  let lower = 0;
  for (const bucket of histogram.buckets) {
    if (value <= bucket.le) return { lower, upper: bucket.le };
    lower = bucket.le;
  }
  return { lower, upper: Number.POSITIVE_INFINITY };
}

/** Fetches and parses a service's `/metrics`. */
export async function scrapeMetrics(baseUrl: string): Promise<Sample[]> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${baseUrl}/metrics: HTTP ${response.status}`);
  return parseMetrics(await response.text());
}
