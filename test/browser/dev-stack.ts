import { type ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT } from '@ir/testkit';

/** A running `pnpm demo`, and what it printed about where everything is. */
export interface DevStack {
  /** `http://127.0.0.1:<coordinator port>/console/` */
  readonly consoleUrl: string;
  /** The coordinator's origin: its operator API and the console share it. */
  readonly apiUrl: string;
  /** The local identity provider's issuer. */
  readonly issuer: string;
  /** The AWS emulator `pnpm demo` started for itself. */
  readonly emulatorEndpoint: string;
  readonly accountId: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** SIGTERM to `pnpm demo` (it stops the services, the provider and its emulator), SIGKILL after a grace. */
  stop(): Promise<void>;
}

const patterns = {
  console: /\[dev\] console (http:\/\/127\.0\.0\.1:\d+\/console\/)/,
  emulator: /\[dev\] \S+ emulator at (http:\/\/\S+?); account (\d{12})/,
  issuer: /\[dev\] identity provider \(local oidc-provider\) (http:\/\/\S+?);/,
  done: /\[demo\] done:/,
  incomplete: /\[demo\] NOT complete/,
  notBuilt: /\[dev\] console: not built/,
} as const;

/**
 * Starts `pnpm demo` (scripts/dev/main.ts --demo, without --once: it keeps running after the demo) as
 * a developer does, with free ports (`IR_DEV_PORTS=auto`) and an emulator of its own: the demo seeds
 * fixed names (IAM users, the batch role) into the default account, so it must not share the test
 * run's emulator with the quick-start test, which seeds the same. Resolves when the demo is done.
 */
export async function startDevStack(timeoutMs = 360_000): Promise<DevStack> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IR_DEV_PORTS: 'auto',
    IR_AWS_EMULATOR: 'moto',
    LOG_LEVEL: 'warn',
    FORCE_COLOR: '0',
  };
  delete env.AWS_ENDPOINT_URL;
  const child = spawn(
    process.execPath,
    ['--conditions=@ir/source', '--import', 'tsx', 'scripts/dev/main.ts', '--demo'],
    // Its own process group: stop() can reach the services it started if it does not stop them itself.
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // Raw text, not lines: a chunk may end in the middle of a line.
  let printed = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const output = () => (errors ? `${printed}\n[stderr]\n${errors.slice(-4000)}` : printed);
  const stop = () => stopGroup(child);

  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.off('exit', exitedEarly);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`pnpm demo did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        const text = printed;
        // Done, and every line that says where things are has been printed (some come after the demo).
        const located = [patterns.console, patterns.emulator, patterns.issuer].every((p) => p.test(text));
        if (patterns.done.test(text) && located) finish();
        else if (patterns.incomplete.test(text)) finish(new Error('pnpm demo did not complete'));
        else if (patterns.notBuilt.test(text))
          finish(new Error('the console is not built: run pnpm build first'));
      };
      const exitedEarly = (code: number | null) => finish(new Error(`pnpm demo exited early (code ${code})`));
      child.stdout?.on('data', check);
      child.once('exit', exitedEarly);
    });
  } catch (error: unknown) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}; its output:\n${output().slice(-6000)}`);
  }

  const text = printed;
  const consoleUrl = patterns.console.exec(text)?.[1];
  const emulator = patterns.emulator.exec(text);
  const issuer = patterns.issuer.exec(text)?.[1];
  if (!consoleUrl || !emulator?.[1] || !emulator[2] || !issuer) {
    await stop();
    throw new Error(`pnpm demo did not print the console, emulator or issuer line:\n${text.slice(-6000)}`);
  }
  return {
    consoleUrl,
    apiUrl: new URL(consoleUrl).origin,
    issuer,
    emulatorEndpoint: emulator[1],
    accountId: emulator[2],
    output,
    stop,
  };
}

/** Stops `pnpm demo` as Ctrl-C would, then kills whatever of its group is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 45_000)),
  ]);
  try {
    // The services are in the group; they are gone after a graceful stop, and killed here otherwise.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already empty.
  }
  if (!graceful) await exited;
}
