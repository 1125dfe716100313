import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The five services, in pipeline order. */
export const SERVICE_NAMES = [
  'detection',
  'response-coordinator',
  'isolator',
  'forensics',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The repository root (where `services/` is), from this file's place in packages/testkit/src/system. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A service running as its own process, as in production: `services/<name>/src/main.ts` under tsx. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL at once (fault tests). */
  kill(): Promise<number | null>;
}

/** Settings of {@link startServiceProcess}. */
export interface StartServiceProcessOptions {
  readonly name: ServiceName;
  readonly env: NodeJS.ProcessEnv;
  /** Each line the process writes (stdout and stderr), as written. */
  readonly onLine?: (line: string) => void;
  readonly root?: string;
}

/**
 * Starts one service from its sources (no build needed) with the workspace's `@ir/source` condition.
 * Used by `pnpm dev`, the end-to-end and the reliability suites, so they all run the real entry point.
 */
export function startServiceProcess(options: StartServiceProcessOptions): ServiceProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@ir/source', '--import', 'tsx', `services/${options.name}/src/main.ts`],
    { cwd: options.root ?? REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream && options.onLine) createInterface({ input: stream }).on('line', options.onLine);
    else stream?.resume();
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  };
  return { name: options.name, child, exited, stop, kill };
}
