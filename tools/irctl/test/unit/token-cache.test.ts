import { chmod, mkdir, mkdtemp, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CachedLogin,
  loginKey,
  readTokenCache,
  type TokenCacheFile,
  tokenCachePath,
  writeTokenCache,
} from '../../src/auth/token-cache.js';
import { runIrctl } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { ExitCode, TokenCacheError } from '../../src/errors.js';

/** An unsigned JWT with these claims: whoami only decodes, and these tests never call an API. */
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

const login = (issuer: string, subject: string, expiresInMs = 600_000): CachedLogin => ({
  issuer,
  audience: 'urn:ir:operator-api',
  clientId: 'irctl',
  grant: 'device_code',
  accessToken: jwt({ sub: subject, iss: issuer }),
  expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  savedAt: new Date().toISOString(),
});

async function configDir(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'irctl-cache-'));
  return { dir, path: join(dir, 'irctl', 'tokens.json') };
}

describe('the token cache file', () => {
  it('lives under XDG_CONFIG_HOME, else HOME/.config, else nowhere', () => {
    // Prepare
    const both = loadConfig({ XDG_CONFIG_HOME: '/x', HOME: '/home/op' });
    const home = loadConfig({ HOME: '/home/op' });
    // Act
    const paths = [tokenCachePath(both), tokenCachePath(home), tokenCachePath(loadConfig({}))];
    // Assess
    expect(paths).toEqual(['/x/irctl/tokens.json', '/home/op/.config/irctl/tokens.json', undefined]);
  });

  it('is written with mode 600 in a directory tightened to 700, leaving no temporary file', async () => {
    // Prepare: the irctl directory already exists, too open.
    const { dir, path } = await configDir();
    await mkdir(join(dir, 'irctl'), { mode: 0o755 });
    await chmod(join(dir, 'irctl'), 0o755);
    const cache: TokenCacheFile = { version: 1, logins: { a: login('https://idp.example.test', 'op-a') } };
    // Act
    await writeTokenCache(path, cache);
    await writeTokenCache(path, { ...cache, current: 'a' });
    // Assess
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'irctl'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'irctl'))).toEqual(['tokens.json']);
    expect(await readTokenCache(path)).toEqual({ ...cache, current: 'a' });
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses mode %o, naming the fix', async (mode) => {
    // Prepare
    const { path } = await configDir();
    await writeTokenCache(path, { version: 1, logins: {} });
    await chmod(path, mode);
    // Act
    const error = await readTokenCache(path).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TokenCacheError);
    expect(String((error as Error).message)).toContain(`has mode ${mode.toString(8)}`);
    expect(await readTokenCache(path, { exposedToo: true })).toEqual({ version: 1, logins: {} });
  });

  it('refuses a symbolic link and a file irctl did not write', async () => {
    // Prepare
    const { dir, path } = await configDir();
    await mkdir(join(dir, 'irctl'), { mode: 0o700 });
    const elsewhere = join(dir, 'elsewhere.json');
    await writeFile(elsewhere, '{}', { mode: 0o600 });
    await symlink(elsewhere, path);
    const other = await configDir();
    await mkdir(join(other.dir, 'irctl'), { mode: 0o700 });
    await writeFile(other.path, '{"tokens": "something else"}', { mode: 0o600 });
    // Act
    const linked = await readTokenCache(path).catch((e: unknown) => e);
    const foreign = await readTokenCache(other.path).catch((e: unknown) => e);
    // Assess
    expect(String((linked as Error).message)).toContain('not a regular file');
    expect(String((foreign as Error).message)).toContain('not one irctl wrote');
  });
});

describe('which cached login API commands use', () => {
  it('uses the login for IR_OIDC_ISSUER and IR_OIDC_AUDIENCE when set, else the last login', async () => {
    // Prepare
    const { dir, path } = await configDir();
    const first = login('https://first.example.test', 'op-first');
    const second = login('https://second.example.test', 'op-second');
    const firstKey = loginKey(first.issuer, first.audience);
    const secondKey = loginKey(second.issuer, second.audience);
    await writeTokenCache(path, {
      version: 1,
      current: secondKey,
      logins: { [firstKey]: first, [secondKey]: second },
    });
    const env = { XDG_CONFIG_HOME: dir };
    // Act
    const last = await runIrctl(['whoami', '--json'], env);
    const chosen = await runIrctl(['whoami', '--json'], {
      ...env,
      IR_OIDC_ISSUER: 'https://first.example.test',
      IR_OIDC_AUDIENCE: 'urn:ir:operator-api',
    });
    const otherAudience = await runIrctl(['whoami'], {
      ...env,
      IR_OIDC_ISSUER: 'https://first.example.test',
      IR_OIDC_AUDIENCE: 'urn:ir:some-other-api',
    });
    // Assess
    const subject = (stdout: string) => (JSON.parse(stdout) as { claims: { sub: string } }).claims.sub;
    expect(subject(last.stdout)).toBe('op-second');
    expect(subject(chosen.stdout)).toBe('op-first');
    expect(otherAudience.code).toBe(ExitCode.unauthorized);
    expect(otherAudience.stderr).toContain(
      'not logged in for https://first.example.test (audience urn:ir:some-other-api): run irctl login',
    );
  });

  it('does not use a token in its last 30 seconds', async () => {
    // Prepare: no refresh token, so the only way on is a new login.
    const { dir, path } = await configDir();
    const almost = login('https://idp.example.test', 'op-a', 20_000);
    const key = loginKey(almost.issuer, almost.audience);
    await writeTokenCache(path, { version: 1, current: key, logins: { [key]: almost } });
    // Act
    const result = await runIrctl(['show', 'inc-1'], {
      XDG_CONFIG_HOME: dir,
      IR_API_URL: 'http://127.0.0.1:9',
    });
    // Assess
    expect(result.code).toBe(ExitCode.unauthorized);
    expect(result.stderr).toContain('run irctl login');
  });
});
