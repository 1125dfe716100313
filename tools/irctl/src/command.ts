import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IrctlConfig } from './config.js';
import type { ExitCode } from './errors.js';

/** One option of a command, as `node:util` parseArgs takes it plus a line of help. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Shown in help; for string options, the value's name (e.g. `<status>`) comes first. */
  readonly help: string;
  readonly valueName?: string;
}

/** What a command's run function receives once its arguments are parsed. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** The AWS clients commands use; built lazily from the configuration, injectable in tests. */
export interface AwsClients {
  sqs(): SQSClient;
  s3(): S3Client;
  /** `irctl verify`: kms:Verify of manifest signatures. */
  kms(): KMSClient;
}

/** Everything a command may touch: configuration, output, input, clients, time. */
export interface CommandContext {
  readonly config: IrctlConfig;
  /** Writes one line (or block) to standard output. */
  readonly out: (text: string) => void;
  /** Writes one line (or block) to standard error: warnings and errors, never results. */
  readonly err: (text: string) => void;
  /** The whole of standard input, for `-` as a file name. */
  readonly readStdin: () => Promise<string>;
  readonly aws: AwsClients;
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

/**
 * A command: its name (`dlq list` for a sub-command), help text, options and positionals, and what it
 * does. Every command gets `--json` and `--help` on top of its own options.
 */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Positionals in order, e.g. `['<id>', '<step>']`; a trailing `?` marks one optional. */
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Further paragraphs of help: what is sent where, exit codes worth knowing. */
  readonly details?: readonly string[];
  run(args: ParsedArgs, context: CommandContext): Promise<ExitCode>;
}
