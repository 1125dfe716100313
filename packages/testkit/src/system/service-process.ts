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

/**
 * V8 flags every service runs with, in the image (docker/Dockerfile's ENTRYPOINT) and here, so the
 * system tests and the bench measure what production runs (test/static/node-flags.test.ts keeps the
 * two equal). `--max-semi-space-size=2`: a young generation of 2 × 2 MiB instead of V8's 2 × 16 MiB,
 * about 25 MiB less peak RSS per service (issue 22); scavenges run more often, which these I/O-bound
 * services do not notice.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=2'] as const;

/**
 * Environment every service runs with, in the image (docker/Dockerfile's `ENV`) and here. glibc's
 * malloc raises its trim threshold (up to 64 MiB) once a large block is freed, as loading the big
 * SDK client packages does, and from then on keeps freed memory resident instead of giving it back;
 * a fixed threshold (glibc's own default, 128 KiB) turns that off: about 30–50 MiB less peak RSS in
 * the isolator after an EC2 containment (issue 22). Ignored by other C libraries.
 */
export const SERVICE_PROCESS_ENV = { MALLOC_TRIM_THRESHOLD_: '131072' } as const;

/** A service running as its own process, as in production (from its sources under tsx, or its build). */
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
  /**
   * `source` (default): `src/main.ts` under tsx, no build needed. `build`: `dist/main.js` on plain
   * node, as the image runs it (tsx costs each process about 40 MiB, so the bench measures memory this
   * way); the caller builds first.
   */
  readonly from?: 'source' | 'build';
}

/**
 * Starts one service from its sources (no build needed) with the workspace's `@ir/source` condition,
 * or from its build.
 * Used by `pnpm dev`, the end-to-end and the reliability suites, so they all run the real entry point.
 */
export function startServiceProcess(options: StartServiceProcessOptions): ServiceProcess {
  const entry =
    options.from === 'build'
      ? [`services/${options.name}/dist/main.js`]
      : ['--conditions=@ir/source', '--import', 'tsx', `services/${options.name}/src/main.ts`];
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...entry], {
    cwd: options.root ?? REPO_ROOT,
    env: { ...SERVICE_PROCESS_ENV, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
