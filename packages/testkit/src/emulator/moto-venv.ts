import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatorError } from '../errors.js';
import { OutputTail, withOutput } from './output-tail.js';

/**
 * The moto version the harness installs; bump it here and the cache path follows. Pinned on purpose:
 * moto 5.2.6 appends the groups given to ModifyNetworkInterfaceAttribute to a launch-time primary ENI
 * instead of replacing them (AWS replaces them), so every EC2 isolation there is rightly reported not
 * isolated (services/isolator `interfacesNotIsolated`). A new version is taken deliberately, after
 * checking its answers against AWS's, never by a floating range.
 */
export const MOTO_VERSION = '5.2.5';

/** Written into the venv after pip succeeds; a venv without it is unfinished and is completed again. */
const READY_MARKER = '.ir-moto-ready';

/** A lock older than this whose owner cannot be checked (other host, no owner file) is taken as abandoned. */
const STALE_LOCK_MS = 15 * 60_000;

/**
 * Where the moto virtualenv lives: `IR_MOTO_VENV` when set, else
 * `${XDG_CACHE_HOME:-~/.cache}/ir-moto/venv-<version>`. A relative `XDG_CACHE_HOME` is ignored, as the
 * XDG base-directory spec requires.
 */
export function motoVenvDir(env: NodeJS.ProcessEnv, home = homedir(), version = MOTO_VERSION): string {
  const override = env.IR_MOTO_VENV?.trim();
  if (override) return resolve(override);
  const xdg = env.XDG_CACHE_HOME?.trim();
  const cache = xdg && isAbsolute(xdg) ? xdg : join(home, '.cache');
  return join(cache, 'ir-moto', `venv-${version}`);
}

/** The venv's Python interpreter. */
export function venvPython(venvDir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

export interface EnsureMotoVenvOptions {
  /** Where the venv lives (see {@link motoVenvDir}). */
  readonly venvDir: string;
  readonly version?: string;
  /** Interpreter that creates the venv; defaults to `python3`. */
  readonly basePython?: string;
  /** How long to wait for another process that is building the same venv. */
  readonly lockTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * Returns the Python of a virtualenv holding `moto[server]==<version>`, creating it on first use.
 * A lock directory beside the venv makes concurrent callers (parallel CI jobs, `pnpm dev` next to a
 * test run) wait for one build instead of corrupting it with two.
 */
export async function ensureMotoVenv(options: EnsureMotoVenvOptions): Promise<string> {
  const { venvDir, version = MOTO_VERSION, basePython = 'python3', lockTimeoutMs = 10 * 60_000 } = options;
  const python = venvPython(venvDir);
  if (await isVenvReady(venvDir, version)) return python;

  const release = await acquireLock(`${venvDir}.lock`, lockTimeoutMs);
  try {
    if (await isVenvReady(venvDir, version)) return python;
    options.log?.(`creating moto ${version} virtualenv at ${venvDir} (first use; takes a minute)`);
    await mkdir(dirname(venvDir), { recursive: true });
    await run(basePython, ['-m', 'venv', venvDir]);
    await run(python, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      `moto[server]==${version}`,
    ]);
    await writeFile(join(venvDir, READY_MARKER), version);
    return python;
  } finally {
    await release();
  }
}

/**
 * A venv is ready when our marker names the version, or (for venvs built by hand or by an older
 * harness) when its interpreter exists and pip recorded the exact moto version.
 */
async function isVenvReady(venvDir: string, version: string): Promise<boolean> {
  const marker = await readFile(join(venvDir, READY_MARKER), 'utf8').catch(() => undefined);
  if (marker !== undefined) return marker.trim() === version;
  if (!existsSync(venvPython(venvDir))) return false;
  const libDir = join(venvDir, 'lib');
  const pythons = await readdir(libDir).catch(() => [] as string[]);
  const sitePackages = [
    ...pythons.map((p) => join(libDir, p, 'site-packages')),
    join(venvDir, 'Lib', 'site-packages'),
  ];
  return sitePackages.some((dir) => existsSync(join(dir, `moto-${version}.dist-info`)));
}

/** Runs a command to completion; on failure the error carries the tail of what it printed. */
function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const output = new OutputTail();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    output.follow(child.stdout).follow(child.stderr);
    child.once('error', (cause) =>
      reject(new EmulatorError(`could not run ${command}: is Python 3 installed?`, { cause })),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      reject(
        new EmulatorError(
          withOutput(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`, output, 'output'),
          {
            context: { output: output.toString() },
          },
        ),
      );
    });
  });
}

/** Takes `lockDir` (mkdir is atomic), stealing it from a dead owner; resolves to its release. */
async function acquireLock(lockDir: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'owner'), JSON.stringify({ pid: process.pid, host: hostname() }));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error: unknown) {
      if (!isErrnoException(error) || error.code !== 'EEXIST') throw error;
    }
    if (await isAbandoned(lockDir)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmulatorError(`timed out waiting for ${lockDir}; remove it if no build is running`, {
        context: { lockDir },
      });
    }
    await sleep(500);
  }
}

async function isAbandoned(lockDir: string): Promise<boolean> {
  const owner = await readFile(join(lockDir, 'owner'), 'utf8')
    .then((text) => JSON.parse(text) as { pid?: unknown; host?: unknown })
    .catch(() => undefined);
  if (owner && owner.host === hostname() && typeof owner.pid === 'number') return !isProcessAlive(owner.pid);
  const info = await stat(lockDir).catch(() => undefined);
  return info === undefined || Date.now() - info.mtimeMs > STALE_LOCK_MS;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return isErrnoException(error) && error.code === 'EPERM';
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
