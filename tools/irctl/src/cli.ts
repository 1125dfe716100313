import { errorMessage, errorName } from '@ir/runtime';
import { parseCommandArgs, wantsHelp } from './args.js';
import { awsClients, type ManagedAwsClients } from './aws.js';
import type { AwsClients, CommandContext, CommandSpec } from './command.js';
import { approveCommand, rejectCommand, resolveCommand, rollbackCommand } from './commands/decisions.js';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq.js';
import { incidentsCommand, showCommand } from './commands/incidents.js';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/login.js';
import { planCommand } from './commands/plan.js';
import { reportCommand } from './commands/report.js';
import { submitCommand } from './commands/submit.js';
import { suppressCommand, suppressionsCommand } from './commands/suppress.js';
import { verifyCommand } from './commands/verify.js';
import { type Env, loadConfig } from './config.js';
import { ExitCode, isIrctlError, UsageError } from './errors.js';
import { commandHelp, topHelp } from './help.js';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  submitCommand,
  planCommand,
  incidentsCommand,
  showCommand,
  approveCommand,
  rejectCommand,
  rollbackCommand,
  resolveCommand,
  verifyCommand,
  reportCommand,
  dlqListCommand,
  dlqRedriveCommand,
  suppressCommand,
  suppressionsCommand,
  loginCommand,
  logoutCommand,
  whoamiCommand,
];

/** Where a run writes and reads, and what it may inject (tests: clients, fetch, clock). */
export interface RunIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin?: () => Promise<string>;
  readonly aws?: AwsClients;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** Finds the command `argv` names (`dlq list` takes two words); the rest are its arguments. */
export function findCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const [first, second] = argv;
  const twoWords = COMMANDS.find((spec) => spec.name === `${first} ${second}`);
  if (twoWords) return { spec: twoWords, rest: argv.slice(2) };
  const oneWord = COMMANDS.find((spec) => spec.name === first);
  return oneWord ? { spec: oneWord, rest: argv.slice(1) } : undefined;
}

/** The help for a group word (`irctl dlq --help`): its sub-commands. */
function groupHelp(group: string): string | undefined {
  const members = COMMANDS.filter((spec) => spec.name.startsWith(`${group} `));
  if (members.length === 0) return undefined;
  return [
    `Usage: irctl ${group} <${members.map((spec) => spec.name.slice(group.length + 1)).join('|')}> [arguments] [options]`,
    '',
    ...members.map((spec) => `  ${spec.name.padEnd(14)}${spec.summary}`),
    '',
    `irctl ${group} <sub-command> --help for each one's options.`,
  ].join('\n');
}

/**
 * Runs irctl once: parses `argv`, runs the command, reports any error on standard error (as JSON with
 * `--json`) and returns the exit code. Never throws and never exits the process, so it can run in
 * tests and in other tools; main.ts turns the code into the process's exit status.
 */
export async function execute(argv: readonly string[], env: Env, io: RunIo): Promise<ExitCode> {
  const json = argv.includes('--json');
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? findCommand(argv.slice(1)) : undefined;
    const group = first === 'help' && argv[1] ? groupHelp(argv[1]) : undefined;
    io.out(topic ? commandHelp(topic.spec) : (group ?? topHelp(COMMANDS)));
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = groupHelp(first);
    if (group && (argv.length === 1 || wantsHelp(argv))) {
      io.out(group);
      return wantsHelp(argv) ? ExitCode.ok : ExitCode.usage;
    }
    return report(
      new UsageError(`unknown command ${JSON.stringify(argv.slice(0, group ? 2 : 1).join(' '))}`),
      json,
      io,
    );
  }
  if (wantsHelp(found.rest)) {
    io.out(commandHelp(found.spec));
    return ExitCode.ok;
  }
  let clients: ManagedAwsClients | undefined;
  try {
    const args = parseCommandArgs(found.spec, found.rest);
    const config = loadConfig(env);
    if (!io.aws) clients = awsClients(config);
    const aws = io.aws ?? clients;
    if (!aws) throw new Error('unreachable: no AWS clients');
    const context: CommandContext = {
      config,
      out: io.out,
      err: io.err,
      readStdin: io.readStdin ?? (async () => ''),
      aws,
      fetch: io.fetch ?? fetch,
      sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: io.now ?? (() => new Date()),
    };
    return await found.spec.run(args, context);
  } catch (error: unknown) {
    return report(error, json, io, found.spec.name);
  } finally {
    clients?.destroy();
  }
}

/** Writes an error for a person (or as JSON) on standard error and returns its exit code. */
function report(error: unknown, json: boolean, io: RunIo, commandName?: string): ExitCode {
  const known = isIrctlError(error);
  const code = known ? error.exitCode : ExitCode.failed;
  const message = known ? error.message : `${errorName(error)}: ${errorMessage(error)}`;
  const command = error instanceof UsageError ? error.command : commandName;
  if (json) {
    io.err(
      JSON.stringify({
        error: { name: errorName(error), message, exitCode: code, ...(known ? error.detail : {}) },
      }),
    );
  } else {
    io.err(`irctl${command ? ` ${command}` : ''}: ${message}`);
    if (error instanceof UsageError)
      io.err(`run 'irctl ${command ?? ''}${command ? ' ' : ''}--help' for usage`);
  }
  return code;
}

/** What {@link runIrctl} returns: the exit code and everything written. */
export interface IrctlResult {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runIrctl}. */
export interface RunIrctlOptions extends Partial<Omit<RunIo, 'out' | 'err' | 'readStdin'>> {
  /** Standard input, for `-` as a file name. */
  readonly stdin?: string;
}

/**
 * Runs irctl in this process and collects its output: `{ code, stdout, stderr }`. For tests and the
 * end-to-end suites (`runIrctl(['approve', id, step, '--by', 'e2e'], env)`), exactly what a person
 * typing the command gets, without spawning a process.
 */
export async function runIrctl(
  argv: readonly string[],
  env: Env,
  options: RunIrctlOptions = {},
): Promise<IrctlResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await execute(argv, env, {
    ...options,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    readStdin: async () => options.stdin ?? '',
  });
  const joined = (lines: string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return { code, stdout: joined(stdout), stderr: joined(stderr) };
}
