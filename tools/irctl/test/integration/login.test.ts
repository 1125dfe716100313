import { chmod, mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  approveDeviceCode,
  bootstrap,
  DEMO_OPERATORS,
  type DemoOperatorName,
  emulatorClients,
  isolatedAccount,
  LOCAL_IDP_CLIENTS,
  type LocalIdentityProvider,
  startIdentityProvider,
} from '@ir/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TokenCacheFile } from '../../src/auth/token-cache.js';
import { execute, runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import { type RunningSystem, startSystem } from '../support/system.js';

/** Polls quickly: the provider sets no interval, and RFC 8628's 5 s default would only slow the test. */
const quickSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 200)));

let idp: LocalIdentityProvider;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp?.stop();
});

/** A fresh, empty configuration directory and irctl's environment pointing at it. */
async function freshEnv(): Promise<{ env: Record<string, string>; cachePath: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'irctl-login-'));
  return {
    env: { XDG_CONFIG_HOME: dir, IR_API_URL: 'http://127.0.0.1:9' },
    cachePath: join(dir, 'irctl', 'tokens.json'),
    dir,
  };
}

/**
 * Runs `irctl login` (device flow) in-process while a person completes the sign-in as `operator`:
 * the person reads the URL and the code irctl prints, and approves them at the provider's pages.
 */
async function deviceLogin(
  operator: DemoOperatorName,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let verificationUrl: string | undefined;
  let person: Promise<void> | undefined;
  const code = await execute(['login', '--issuer', idp.issuer, '--audience', idp.audience, ...extra], env, {
    out: (line) => out.push(line),
    err: (line) => {
      err.push(line);
      verificationUrl ??= /open (\S+) in a browser/.exec(line)?.[1];
      const userCode = /the code (\S+?)\.?$/.exec(line)?.[1];
      if (userCode && verificationUrl && !person) {
        const page = new URL(verificationUrl);
        page.search = '';
        person = approveDeviceCode(idp.issuer, page.href, userCode, DEMO_OPERATORS[operator]);
      }
    },
    sleep: quickSleep,
  });
  await person;
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function readCache(path: string): Promise<TokenCacheFile> {
  return TokenCacheFile.parse(JSON.parse(await readFile(path, 'utf8')));
}

/** Verifies a token as the coordinator would: the provider's JWKS, issuer and audience. */
async function verified(token: string) {
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer: idp.issuer,
    audience: idp.audience,
  });
  return payload;
}

const onlyLogin = (cache: TokenCacheFile) => {
  const login = cache.current ? cache.logins[cache.current] : undefined;
  if (!login) throw new Error('no current login in the cache');
  return login;
};

describe('irctl login (device flow, against the local identity provider)', () => {
  it('prints where to sign in, waits for the person, and caches a token that verifies, mode 600', async () => {
    // Prepare
    const { env, cachePath, dir } = await freshEnv();
    // Act
    const result = await deviceLogin('approver', env);
    // Assess
    expect(result.code, result.stderr).toBe(ExitCode.ok);
    expect(result.stderr).toMatch(/To sign in, open http:\/\/127\.0\.0\.1:\d+\/device\?user_code=/);
    expect(result.stdout).toContain(`logged in to ${idp.issuer} as op-alice (Alice Approver)`);
    expect((await stat(cachePath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'irctl'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'irctl'))).toEqual(['tokens.json']);
    const login = onlyLogin(await readCache(cachePath));
    expect(login).toMatchObject({
      issuer: idp.issuer,
      audience: idp.audience,
      clientId: 'irctl',
      grant: 'device_code',
    });
    expect(login.refreshToken).toBeTruthy();
    const claims = await verified(login.accessToken);
    expect(claims.sub).toBe(DEMO_OPERATORS.approver.subject);
    expect(claims.groups).toEqual([...DEMO_OPERATORS.approver.groups]);
  });

  it('whoami shows the cached login, decoded and said to be unverified', async () => {
    // Prepare
    const { env } = await freshEnv();
    expect((await deviceLogin('responder', env)).code).toBe(ExitCode.ok);
    // Act
    const whoami = await runIrctl(['whoami'], env);
    // Assess
    expect(whoami.code, whoami.stderr).toBe(ExitCode.ok);
    expect(whoami.stdout).toMatch(/subject\s+op-rita/);
    expect(whoami.stdout).toMatch(/groups\s+staff, ir-responders/);
    expect(whoami.stdout).toMatch(/audience\s+urn:ir:operator-api/);
    expect(whoami.stdout).toContain('not verified');
  });

  it('prefers --token, then IR_API_TOKEN, over the cached login', async () => {
    // Prepare
    const { env } = await freshEnv();
    expect((await deviceLogin('approver', env)).code).toBe(ExitCode.ok);
    const viewerToken = await idp.operatorToken('viewer');
    const responderToken = await idp.operatorToken('responder');
    // Act
    const byFlag = await runIrctl(['whoami', '--json', '--token', viewerToken], {
      ...env,
      IR_API_TOKEN: responderToken,
    });
    const byEnv = await runIrctl(['whoami', '--json'], { ...env, IR_API_TOKEN: responderToken });
    const byCache = await runIrctl(['whoami', '--json'], env);
    // Assess
    const subject = (result: { stdout: string }) =>
      (JSON.parse(result.stdout) as { origin: string; claims: { sub: string } }).claims.sub;
    expect([subject(byFlag), subject(byEnv), subject(byCache)]).toEqual(['op-victor', 'op-rita', 'op-alice']);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ origin: 'flag', verified: false });
  });

  it('refreshes an expired cached token with its refresh token, and saves the new one', async () => {
    // Prepare: the access token lives 600 s; eleven minutes later it is expired.
    const { env, cachePath } = await freshEnv();
    expect((await deviceLogin('approver', env)).code).toBe(ExitCode.ok);
    const before = onlyLogin(await readCache(cachePath));
    const later = () => new Date(Date.now() + 11 * 60_000);
    // Act
    const whoami = await runIrctl(['whoami', '--json'], env, { now: later });
    // Assess
    expect(whoami.code, whoami.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ origin: 'refreshed' });
    const after = onlyLogin(await readCache(cachePath));
    expect(after.accessToken).not.toBe(before.accessToken);
    expect((await verified(after.accessToken)).sub).toBe('op-alice');
    expect((await stat(cachePath)).mode & 0o777).toBe(0o600);
  });

  it('refuses an expired cached token that cannot be refreshed: run irctl login (exit 6)', async () => {
    // Prepare: without offline_access the provider issues no refresh token.
    const { env } = await freshEnv();
    expect((await deviceLogin('approver', env, ['--scope', 'openid'])).code).toBe(ExitCode.ok);
    const later = () => new Date(Date.now() + 11 * 60_000);
    // Act
    const listed = await runIrctl(['incidents'], env, { now: later });
    // Assess
    expect(listed.code).toBe(ExitCode.unauthorized);
    expect(listed.stderr).toMatch(
      /the cached token for http:\/\/127\.0\.0\.1:\d+ expired at .*run irctl login/,
    );
  });

  it('refuses a cache file other users can read, and logout removes it and revokes the refresh token', async () => {
    // Prepare
    const { env, cachePath } = await freshEnv();
    expect((await deviceLogin('approver', env)).code).toBe(ExitCode.ok);
    const { refreshToken } = onlyLogin(await readCache(cachePath));
    await chmod(cachePath, 0o644);
    // Act
    const refused = await runIrctl(['whoami'], env);
    const loggedOut = await runIrctl(['logout'], env);
    // Assess
    expect(refused.code).toBe(ExitCode.usage);
    expect(refused.stderr).toContain(`the token cache ${cachePath} has mode 644`);
    expect(refused.stderr).toContain(`chmod 600 ${cachePath}`);
    expect(loggedOut.code, loggedOut.stderr).toBe(ExitCode.ok);
    expect(loggedOut.stdout).toContain('1 refresh token(s) revoked');
    await expect(stat(cachePath)).rejects.toThrow(/ENOENT/);
    const reuse = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken ?? '',
        client_id: 'irctl',
      }),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    const afterwards = await runIrctl(['incidents'], env);
    expect(afterwards.code).toBe(ExitCode.unauthorized);
    expect(afterwards.stderr).toContain('not logged in: run irctl login');
  });

  it('refuses a plain-http issuer on another host before sending anything', async () => {
    // Prepare
    const { env, cachePath } = await freshEnv();
    // Act
    const result = await runIrctl(['login', '--issuer', 'http://idp.example.com'], env);
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain('must use https');
    await expect(stat(cachePath)).rejects.toThrow(/ENOENT/);
  });
});

describe('irctl login --client-credentials (automation)', () => {
  it('takes the secret from IR_OIDC_CLIENT_SECRET or standard input, never caching it', async () => {
    // Prepare
    const { env, cachePath } = await freshEnv();
    const argv = ['login', '--client-credentials', '--issuer', idp.issuer, '--audience', idp.audience];
    const client = ['--client-id', LOCAL_IDP_CLIENTS.automation];
    // Act
    const fromEnv = await runIrctl([...argv, ...client], {
      ...env,
      IR_OIDC_CLIENT_SECRET: idp.clientSecrets.automation,
    });
    const cachedFromEnv = await readFile(cachePath, 'utf8');
    const fromStdin = await runIrctl([...argv, ...client, '--client-secret-stdin'], env, {
      stdin: `${idp.clientSecrets.automation}\n`,
    });
    const wrong = await runIrctl([...argv, ...client], { ...env, IR_OIDC_CLIENT_SECRET: 'not-the-secret' });
    const missing = await runIrctl([...argv, ...client], env);
    // Assess
    expect(fromEnv.code, fromEnv.stderr).toBe(ExitCode.ok);
    expect(fromStdin.code, fromStdin.stderr).toBe(ExitCode.ok);
    expect(cachedFromEnv).not.toContain(idp.clientSecrets.automation);
    const login = onlyLogin(await readCache(cachePath));
    expect(login).toMatchObject({ grant: 'client_credentials', clientId: LOCAL_IDP_CLIENTS.automation });
    expect(login.refreshToken).toBeUndefined();
    const claims = await verified(login.accessToken);
    expect(claims.client_id).toBe(LOCAL_IDP_CLIENTS.automation);
    expect(claims.groups).toEqual(['ir-responders']);
    expect(wrong.code).toBe(ExitCode.unauthorized);
    expect(wrong.stderr).toContain('invalid_client');
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('IR_OIDC_CLIENT_SECRET is not set');
  });

  it('asks for a new login when the client-credentials token expired (no refresh token)', async () => {
    // Prepare: this client's tokens live one second.
    const { env } = await freshEnv();
    const login = await runIrctl(
      ['login', '--client-credentials', '--issuer', idp.issuer, '--client-id', LOCAL_IDP_CLIENTS.shortLived],
      { ...env, IR_OIDC_CLIENT_SECRET: idp.clientSecrets.shortLived },
    );
    // Act
    const whoami = await runIrctl(['whoami'], env);
    // Assess
    expect(login.code, login.stderr).toBe(ExitCode.ok);
    expect(whoami.code).toBe(ExitCode.unauthorized);
    expect(whoami.stderr).toContain('run irctl login --client-credentials again');
  });
});

describe('irctl with a cached login against the coordinator in OIDC mode (on the emulator)', () => {
  let running: RunningSystem | undefined;
  let apiUrl = '';

  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const system = await bootstrap({ prefix: 'ir', clients, notificationsTopic: 'ir-notifications' });
    clients.destroy();
    running = await startSystem({
      endpoint,
      region,
      account,
      system,
      oidc: { issuer: idp.issuer, audience: idp.audience },
      services: ['response-coordinator'],
    });
    apiUrl = running.apiUrl;
  }, 240_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('lists incidents with the cached token, and the coordinator refuses a token it cannot verify', async () => {
    // Prepare
    const { env } = await freshEnv();
    const withApi = { ...env, IR_API_URL: apiUrl };
    expect((await deviceLogin('viewer', withApi)).code).toBe(ExitCode.ok);
    const stranger = await startIdentityProvider({ audience: idp.audience });
    const foreign = await stranger.operatorToken('approver');
    await stranger.stop();
    // Act
    const listed = await runIrctl(['incidents', '--json'], withApi);
    const refused = await runIrctl(['incidents', '--token', foreign], withApi);
    // Assess
    expect(listed.code, listed.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(listed.stdout)).toEqual({ incidents: [] });
    expect(refused.code).toBe(ExitCode.unauthorized);
    expect(refused.stderr).toContain('HTTP 401');
  });
});
