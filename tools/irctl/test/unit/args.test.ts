import { describe, expect, it } from 'vitest';
import { integerOption, parseCommandArgs, wantsHelp } from '../../src/args.js';
import type { CommandSpec } from '../../src/command.js';
import { ExitCode, isIrctlError, UsageError } from '../../src/errors.js';

const spec: CommandSpec = {
  name: 'approve',
  summary: 'test',
  positionals: ['<id>', '<step>', '<extra>?'],
  options: { by: { type: 'string', help: 'who' }, limit: { type: 'string', help: 'n' } },
  run: async () => ExitCode.ok,
};

const usageErrorOf = (act: () => unknown): UsageError => {
  try {
    act();
  } catch (error: unknown) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
};

describe('parseCommandArgs', () => {
  it('parses positionals, string options and the common --json flag', () => {
    // Prepare
    const argv = ['inc-1', 'isolate-instance:i-0abc', '--by', 'alice', '--json'];
    // Act
    const args = parseCommandArgs(spec, argv);
    // Assess
    expect(args.positionals).toEqual(['inc-1', 'isolate-instance:i-0abc']);
    expect(args.values).toMatchObject({ by: 'alice', json: true });
  });

  it('refuses an unknown option, naming it and the command, with the usage exit code', () => {
    // Prepare
    const argv = ['inc-1', 'step', '--force'];
    // Act
    const error = usageErrorOf(() => parseCommandArgs(spec, argv));
    // Assess
    expect(error.message).toContain('--force');
    expect(error.command).toBe('approve');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(isIrctlError(error)).toBe(true);
  });

  it('refuses a missing required positional, naming it', () => {
    // Prepare
    const argv = ['inc-1'];
    // Act
    const error = usageErrorOf(() => parseCommandArgs(spec, argv));
    // Assess
    expect(error.message).toBe('missing argument <step>');
  });

  it('refuses more positionals than the command takes', () => {
    // Prepare
    const argv = ['a', 'b', 'c', 'd'];
    // Act
    const error = usageErrorOf(() => parseCommandArgs(spec, argv));
    // Assess
    expect(error.message).toContain('"d"');
  });

  it('refuses a string option given without its value', () => {
    // Prepare
    const argv = ['a', 'b', '--by'];
    // Act
    const error = usageErrorOf(() => parseCommandArgs(spec, argv));
    // Assess
    expect(error.message).toContain('--by');
  });
});

describe('integerOption', () => {
  it('uses the fallback when absent and refuses values outside the bounds or not whole', () => {
    // Prepare
    const parse = (value?: string) =>
      integerOption(
        parseCommandArgs(spec, ['a', 'b', ...(value === undefined ? [] : ['--limit', value])]),
        'limit',
        100,
        { min: 1, max: 500 },
        'incidents',
      );
    // Act
    const absent = parse();
    const given = parse('20');
    // Assess
    expect(absent).toBe(100);
    expect(given).toBe(20);
    for (const bad of ['0', '501', '2.5', 'ten']) {
      expect(usageErrorOf(() => parse(bad)).message).toContain(
        '--limit must be a whole number from 1 to 500',
      );
    }
  });
});

describe('wantsHelp', () => {
  it('sees --help and -h anywhere before --, not after', () => {
    // Prepare
    const cases: [string[], boolean][] = [
      [['inc-1', '--help'], true],
      [['-h'], true],
      [['inc-1'], false],
      [['--', '--help'], false],
    ];
    // Act
    const results = cases.map(([argv]) => wantsHelp(argv));
    // Assess
    expect(results).toEqual(cases.map(([, expected]) => expected));
  });
});
