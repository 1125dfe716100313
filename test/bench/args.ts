import { parseArgs } from 'node:util';

/** What `pnpm bench` was asked to do. */
export type BenchArgs =
  | {
      readonly mode: 'incidents';
      readonly incidents: number;
      readonly rate: number;
      readonly out: string | undefined;
    }
  | {
      readonly mode: 'storm';
      readonly findings: number;
      readonly instances: number;
      readonly backlog: number;
      readonly out: string | undefined;
    };

const USAGE = `usage: pnpm bench [--incidents N] [--rate R] [--out path.json]
       pnpm bench --storm [--findings 10000] [--instances 50] [--backlog 500] [--out path.json]`;

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
      findings: { type: 'string' },
      backlog: { type: 'string' },
      instances: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  if (values.storm) {
    return {
      mode: 'storm',
      findings: Math.round(positive('findings', values.findings, 10_000)),
      instances: Math.round(positive('instances', values.instances, 50)),
      backlog: Math.round(positive('backlog', values.backlog, 500)),
      out: values.out,
    };
  }
  return {
    mode: 'incidents',
    incidents: Math.round(positive('incidents', values.incidents, 20)),
    rate: positive('rate', values.rate, 5),
    out: values.out,
  };
}
