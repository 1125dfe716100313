import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * What every benchmarked service runs with beyond the system tests' settings: production's 20 s long
 * poll (the tests' 1 s poll makes each idle receive loop ask the emulator every second), quiet logs.
 */
export const BENCH_ENV = {
  LOG_LEVEL: 'warn',
  IR_WAIT_TIME_SECONDS: '20',
  // The production default (tests shorten it).
  IR_REEMISSION_FORWARD_SECONDS: '60',
} as const;

/**
 * Where the services run from: `build` (default) is `dist/main.js` on node, as the image runs them
 * (built first, incrementally); `source` is `src/main.ts` under tsx (about 40 MiB more per process).
 */
export type BenchFrom = 'build' | 'source';

/** What `pnpm bench` was asked to do. */
export type BenchArgs = { readonly from: BenchFrom } & (
  | {
      readonly mode: 'incidents';
      readonly incidents: number;
      readonly rate: number;
      /** Processes per service, all on the same queues and table. */
      readonly replicas: number;
      readonly out: string | undefined;
    }
  | {
      /** The same load with one replica per service, then with `replicas` (scale-out.ts). */
      readonly mode: 'scale-out';
      readonly incidents: number;
      readonly rate: number;
      readonly replicas: number;
      readonly out: string | undefined;
    }
  | {
      readonly mode: 'storm';
      readonly findings: number;
      readonly instances: number;
      readonly backlog: number;
      readonly out: string | undefined;
    }
);

const USAGE = `usage: pnpm bench [--incidents N] [--rate R] [--replicas N] [--from build|source] [--out path.json]
       pnpm bench --scale-out [--incidents N] [--rate R] [--replicas 3] [--from build|source] [--out path.json]
       pnpm bench --storm [--findings 10000] [--instances 50] [--backlog 500] [--from build|source] [--out path.json]`;

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number: ${text}\n${USAGE}`);
  return value;
}

/** Parses the command line; throws with the usage on anything it does not know. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      incidents: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      storm: { type: 'boolean', default: false },
      'scale-out': { type: 'boolean', default: false },
      replicas: { type: 'string' },
      findings: { type: 'string' },
      backlog: { type: 'string' },
      instances: { type: 'string' },
      from: { type: 'string', default: 'build' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const from = values.from;
  if (from !== 'build' && from !== 'source')
    throw new Error(`--from must be build or source: ${from}\n${USAGE}`);
  if (values.storm && values['scale-out']) throw new Error(`--storm and --scale-out are two runs\n${USAGE}`);
  if (values.storm) {
    return {
      mode: 'storm',
      from,
      findings: Math.round(positive('findings', values.findings, 10_000)),
      instances: Math.round(positive('instances', values.instances, 50)),
      backlog: Math.round(positive('backlog', values.backlog, 500)),
      out: values.out,
    };
  }
  const scaleOut = values['scale-out'];
  return {
    mode: scaleOut ? 'scale-out' : 'incidents',
    from,
    incidents: Math.round(positive('incidents', values.incidents, 20)),
    rate: positive('rate', values.rate, 5),
    replicas: Math.round(positive('replicas', values.replicas, scaleOut ? 3 : 1)),
    out: values.out,
  };
}

/** Writes the report as JSON to `--out` (relative to where pnpm was run); returns the full path. */
export function writeReport(out: string, report: unknown): string {
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
