import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseTimeStats } from '@ir/contracts';
import { createLogger } from '@ir/runtime';
import { findingTypes, type LocalIdentityProvider, startIdentityProvider } from '@ir/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorService, createService } from '../../src/service.js';
import { coordinatorFixture, type Fixture, finding, TEST_TOKEN } from './harness.js';
import { playWorkers } from './worker-double.js';

/** A GET sent byte for byte as written (fetch would normalise `..` and `%2e%2e` away). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'a file beside the console that must never be served';
const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/app-3f9a.js"></script></head><body></body></html>';
const SCRIPT = 'document.body.textContent = "console";\n';

describe('the coordinator on the emulator with a real local IdP', () => {
  let idp: LocalIdentityProvider;
  let fixture: Fixture;
  let base: string;
  let top: string;
  let dir: string;
  const extraServices: CoordinatorService[] = [];

  /** Another replica of the same coordinator with a changed config or clock: its API only (no consumer, no sweeper). */
  const replica = async (config: Fixture['config'], deps: Parameters<typeof createService>[1] = {}) => {
    const service = await createService(config, {
      credentials: fixture.account.credentials,
      registry: new Registry(),
      logger: createLogger({ service: 'response-coordinator', level: 'silent' }),
      sweep: false,
      ...deps,
    });
    extraServices.push(service);
    const { port } = await service.start();
    await service.worker.stop(5_000);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    // Prepare: a console build as vite lays it out, and a secret file beside it.
    top = mkdtempSync(join(tmpdir(), 'ir-console-it-'));
    dir = join(top, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'app-3f9a.js'), SCRIPT);
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(top, 'secret.txt'), SECRET);
    idp = await startIdentityProvider();
    fixture = await coordinatorFixture({
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
      IR_CONSOLE_DIR: dir,
    });
    base = (await fixture.start()).base;
  });
  afterAll(async () => {
    await Promise.all(extraServices.map((service) => service.stop()));
    await fixture?.stop();
    await idp?.stop();
    rmSync(top, { recursive: true, force: true });
  });

  describe('the console under /console/', () => {
    const expectSecurityHeaders = (response: Response) => {
      expect(response.headers.get('content-security-policy')).toBe(
        `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ${idp.issuer}; form-action 'self' ${idp.issuer}; frame-ancestors 'none'; base-uri 'none'`,
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    };

    it('serves index.html without a token, revalidated on each use, for every page of the console', async () => {
      for (const path of ['/console/', '/console/incidents/inc-1', '/console/callback?code=abc&state=xyz']) {
        // Act
        const response = await fetch(`${base}${path}`);
        // Assess
        expect(response.status, path).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(response.headers.get('cache-control')).toBe('no-cache');
        expectSecurityHeaders(response);
        expect(await response.text()).toBe(INDEX);
      }
    });

    it('answers 304 to a revalidation of an unchanged page', async () => {
      const first = await fetch(`${base}/console/`);
      const etag = first.headers.get('etag') ?? '';
      expect(etag).not.toBe('');
      const again = await fetch(`${base}/console/overview`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    });

    it('serves hashed assets as immutable, and a missing one as a 404 (never the page)', async () => {
      // Act
      const asset = await fetch(`${base}/console/assets/app-3f9a.js`);
      const missing = await fetch(`${base}/console/assets/app-0000.js`);
      // Assess
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(asset);
      expect(await asset.text()).toBe(SCRIPT);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
      expectSecurityHeaders(missing);
    });

    it('serves a file at the top of the build (a favicon) revalidated, and redirects /console', async () => {
      const icon = await fetch(`${base}/console/favicon.svg`);
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      expect(icon.headers.get('cache-control')).toBe('no-cache');
      const bare = await fetch(`${base}/console?x=1`, { redirect: 'manual' });
      expect(bare.status).toBe(308);
      expect(bare.headers.get('location')).toBe('/console/?x=1');
    });

    it('tells the console where to sign in, without a token', async () => {
      // Act
      const response = await fetch(`${base}/console/config.json`);
      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expectSecurityHeaders(response);
      expect(await response.json()).toEqual({
        issuer: idp.issuer,
        clientId: 'ir-console',
        audience: idp.audience,
        apiBase: '',
        rolesClaim: 'groups',
        roleMap: {
          'ir-viewers': 'viewer',
          'ir-responders': 'responder',
          'ir-approvers': 'approver',
          'ir-admins': 'admin',
        },
      });
    });

    it('serves nothing outside its directory, however the path is written', async () => {
      for (const path of [
        '/console/../secret.txt',
        '/console/..%2fsecret.txt',
        '/console/%2e%2e/secret.txt',
        '/console/%2e%2e%2fsecret.txt',
        '/console/assets/..%2f..%2fsecret.txt',
        '/console/assets/%2e%2e/%2e%2e/secret.txt',
        '/console/assets/..%5c..%5csecret.txt',
        '/console/assets/%00',
      ]) {
        // Act
        const response = await rawGet(base, path);
        // Assess: a refusal (or the page, for paths the router resolved itself), never the file.
        expect(response.body, path).not.toContain(SECRET);
        expect([400, 404, 200], path).toContain(response.status);
        if (response.status === 200) expect(response.body, path).toBe(INDEX);
      }
      expect((await rawGet(base, '/console/..%2fsecret.txt')).status).toBe(404);
      expect((await rawGet(base, '/console/assets/..%2f..%2fsecret.txt')).status).toBe(404);
    });

    it('leaves the operator API behind its token', async () => {
      expect((await fetch(`${base}/incidents`)).status).toBe(401);
      expect((await fetch(`${base}/stats/response-times`)).status).toBe(401);
    });

    it('is off in the static-token mode: 404 saying why', async () => {
      // Prepare: a replica of the same coordinator in the local-development static-token mode.
      const staticBase = await replica({
        ...fixture.config,
        IR_ENV: 'development',
        IR_API_TOKEN: TEST_TOKEN,
        auth: { mode: 'static-token' },
      });
      for (const path of ['/console/', '/console/config.json', '/console/assets/app-3f9a.js', '/console']) {
        // Act
        const response = await fetch(`${staticBase}${path}`, { redirect: 'manual' });
        // Assess
        expect(response.status, path).toBe(404);
        const body = (await response.json()) as { message: string };
        expect(body.message).toMatch(/console is off: .*static-token mode/);
      }
    });
  });

  describe('GET /stats/response-times', () => {
    beforeAll(async () => {
      // Prepare: two HIGH incidents (containment and sealing, no approval) and a dry run, to completion.
      const incidents = [
        ['inc-stats-1', 'i-0aaaaaaaaaaaaaaa1', false],
        ['inc-stats-2', 'i-0aaaaaaaaaaaaaaa2', false],
        ['inc-stats-dry', 'i-0aaaaaaaaaaaaaaa3', true],
      ] as const;
      // One at a time: the worker double answers the commands of the incident it plays and drops others.
      for (const [incidentId, instanceId, dryRun] of incidents) {
        await fixture.open(
          incidentId,
          finding({ type: findingTypes.c2Dns, severity: 8, resource: { kind: 'instance', instanceId } }),
          { dryRun },
        );
        await playWorkers(fixture, incidentId, {
          until: (status) => status === 'completed',
          what: 'completed',
        });
      }
    });

    it('refuses a token whose groups map to no role, and takes a viewer', async () => {
      const nobody = await fetch(`${base}/stats/response-times`, {
        headers: { authorization: `Bearer ${await idp.operatorToken('noRole')}` },
      });
      expect(nobody.status).toBe(403);
      const viewer = await fetch(`${base}/stats/response-times`, {
        headers: { authorization: `Bearer ${await idp.operatorToken('viewer')}` },
      });
      expect(viewer.status).toBe(200);
    });

    it('answers MTTI and MTTE percentiles of the incidents opened in the window, from their records', async () => {
      // Prepare: the durations as the records in the table hold them.
      const records = await Promise.all(
        ['inc-stats-1', 'inc-stats-2'].map(async (id) => (await fixture.incident(id))?.incident),
      );
      const since = (from: string, to: string | undefined) =>
        to === undefined ? undefined : (Date.parse(to) - Date.parse(from)) / 1000;
      const mtti = records
        .map((r) => since(r?.receivedAt ?? '', r?.firstContainedAt))
        .filter((s) => s !== undefined);
      const mtte = records
        .map((r) => since(r?.receivedAt ?? '', r?.evidenceSealedAt))
        .filter((s) => s !== undefined);
      expect(mtti).toHaveLength(2);
      expect(mtte).toHaveLength(2);
      const token = await idp.operatorToken('viewer');
      // Act
      const response = await fetch(`${base}/stats/response-times?hours=24`, {
        headers: { authorization: `Bearer ${token}` },
      });
      // Assess: of two durations, the nearest-rank p50 is the smaller and p95 the larger; the dry run is out.
      expect(response.status).toBe(200);
      const stats = ResponseTimeStats.parse(await response.json());
      expect(stats).toEqual({
        windowHours: 24,
        incidents: 3,
        open: 3,
        truncated: false,
        mtti: { p50: Math.min(...mtti), p95: Math.max(...mtti), count: 2 },
        mtte: { p50: Math.min(...mtte), p95: Math.max(...mtte), count: 2 },
      });
    });

    it('leaves out incidents opened before the window, and counts the unresolved ones still', async () => {
      // Prepare: a replica whose clock is three hours ahead, so the incidents opened three hours "ago".
      const later = await replica(fixture.config, { clock: () => new Date(Date.now() + 3 * 3600_000) });
      const token = await idp.operatorToken('viewer');
      const read = async (hours: number) =>
        ResponseTimeStats.parse(
          await (
            await fetch(`${later}/stats/response-times?hours=${hours}`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).json(),
        );
      // Act
      const lastHour = await read(1);
      const lastDay = await read(24);
      // Assess
      expect(lastHour).toMatchObject({
        windowHours: 1,
        incidents: 0,
        open: 3,
        mtti: { p50: null, p95: null, count: 0 },
        mtte: { p50: null, p95: null, count: 0 },
      });
      expect(lastDay).toMatchObject({ incidents: 3, mtti: { count: 2 }, mtte: { count: 2 } });
    });

    it('refuses a window outside 1..168 hours', async () => {
      const token = await idp.operatorToken('viewer');
      const response = await fetch(`${base}/stats/response-times?hours=0`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(400);
    });
  });
});
