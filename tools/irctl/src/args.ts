import { parseArgs } from 'node:util';
import type { CommandSpec, OptionSpec, ParsedArgs } from './command.js';
import { UsageError } from './errors.js';

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', help: 'print machine-readable JSON instead of tables' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/**
 * Options of every command that calls the coordinator API. `--token` comes first in the order of
 * tokens (then IR_API_TOKEN, then the cached login); its value lands in the shell's history and in
 * `ps` for other users to see, so the environment or `irctl login` are the better ways.
 */
export const API_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  token: {
    type: 'string',
    valueName: '<jwt>',
    help: 'bearer token for this call, over IR_API_TOKEN and the login cache; it lands in shell history and ps: prefer IR_API_TOKEN or irctl login',
  },
};

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  return head.includes('--help') || head.includes('-h');
}

/**
 * Parses a command's arguments strictly: unknown options, a missing value and the wrong number of
 * positionals are usage errors naming the command, so `irctl approve inc-1` cannot approve nothing.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...COMMON_OPTIONS, ...spec.options }).map(([name, option]) => [
      name,
      { type: option.type, ...(option.short ? { short: option.short } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error), spec.name);
  }
  const required = spec.positionals.filter((name) => !name.endsWith('?')).length;
  const { positionals } = parsed;
  if (positionals.length < required) {
    const missing = spec.positionals.slice(positionals.length, required).join(' ');
    throw new UsageError(`missing argument ${missing}`, spec.name);
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals.slice(spec.positionals.length).join(' ');
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`, spec.name);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals };
}

/** A string option's value, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A positive integer option (`--limit 20`), or `fallback`; anything else is a usage error. */
export function integerOption(
  args: ParsedArgs,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
  command: string,
): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(text)}`,
      command,
    );
  }
  return value;
}

/** The positional at `index`; the parser has already checked required ones are there. */
export function positional(args: ParsedArgs, index: number): string {
  return args.positionals[index] ?? '';
}
