import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Runs `body` (an ES module's statements) in a fresh Node process, as a service runs (tsx, the
 * `@ir/source` condition), with `cwd` = `root`, and returns the object it filled in as `seen`. Why a
 * process of its own: which SDK packages are loaded is a property of the process's module cache,
 * which a test runner's own (shared, already warm) cache would hide. In `body`, `loaded()` lists the
 * `@aws-sdk/client-*` packages loaded so far, and `failingClient` is a client factory that throws.
 */
export async function inFreshProcess(root: string, body: string): Promise<Record<string, string[]>> {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(process.cwd() + '/');
    const loaded = () => [...new Set(Object.keys(require.cache).flatMap((path) => {
      const match = /@aws-sdk[\\\\/](client-[a-z0-9-]+)[\\\\/]/.exec(path);
      return match ? [match[1]] : [];
    }))].sort();
    const failingClient = async () => { throw new Error('no AWS client in this test'); };
    const seen = {};
    ${body}
    process.stdout.write(JSON.stringify(seen));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@ir/source', '--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: root, timeout: 120_000 },
  );
  return JSON.parse(stdout) as Record<string, string[]>;
}
