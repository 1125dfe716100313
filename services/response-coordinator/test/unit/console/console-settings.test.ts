import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { consoleSettings, WORKSPACE_CONSOLE_DIR } from '../../../src/console/console-settings.js';
import { contentSecurityPolicy } from '../../../src/console/security-headers.js';

const oidc = {
  IR_OIDC_ISSUER: 'https://idp.example.test/realms/security',
  IR_OIDC_AUDIENCE: 'urn:ir:operator-api',
  IR_DECISION_SIGNING_KEY: randomBytes(32).toString('base64'),
};
const staticToken = {
  IR_ENV: 'development',
  IR_AUTH_MODE: 'static-token',
  IR_API_TOKEN: 'a-token-of-enough-length',
};

describe('consoleSettings', () => {
  let built: string;
  let empty: string;
  beforeAll(() => {
    built = mkdtempSync(join(tmpdir(), 'ir-console-built-'));
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), '<!doctype html>');
    empty = mkdtempSync(join(tmpdir(), 'ir-console-empty-'));
  });
  afterAll(() => {
    rmSync(built, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('serves a built console with the issuer, client id and audience it signs in with', () => {
    // Act
    const settings = consoleSettings(
      loadConfig({
        ...oidc,
        IR_CONSOLE_DIR: built,
        IR_CONSOLE_IDP_ORIGINS:
          'https://pool.auth.eu-west-1.amazoncognito.com/, https://sso.example.test:8443',
      }),
    );
    // Assess
    expect(settings).toEqual({
      enabled: true,
      dir: built,
      client: {
        issuer: oidc.IR_OIDC_ISSUER,
        clientId: 'ir-console',
        audience: 'urn:ir:operator-api',
        apiBase: '',
        rolesClaim: 'groups',
        roleMap: {
          'ir-viewers': 'viewer',
          'ir-responders': 'responder',
          'ir-approvers': 'approver',
          'ir-admins': 'admin',
        },
      },
      identityProviderOrigins: [
        'https://idp.example.test',
        'https://pool.auth.eu-west-1.amazoncognito.com',
        'https://sso.example.test:8443',
      ],
    });
  });

  it('takes the client id from IR_CONSOLE_CLIENT_ID', () => {
    const settings = consoleSettings(loadConfig({ ...oidc, IR_CONSOLE_CLIENT_ID: 'console-prod' }), built);
    expect(settings.enabled && settings.client.clientId).toBe('console-prod');
  });

  it('is off in the static-token mode, saying why, even with a built console', () => {
    const settings = consoleSettings(loadConfig({ ...staticToken, IR_CONSOLE_DIR: built }));
    expect(settings).toEqual({ enabled: false, reason: expect.stringMatching(/static-token mode/) });
  });

  it('is off when nothing is built where the workspace keeps the console, saying how to build it', () => {
    const settings = consoleSettings(loadConfig(oidc), empty);
    expect(settings).toEqual({ enabled: false, reason: expect.stringMatching(/pnpm build/) });
  });

  it('refuses to start when IR_CONSOLE_DIR names a directory with no index.html', () => {
    expect(() => consoleSettings(loadConfig({ ...oidc, IR_CONSOLE_DIR: empty }))).toThrow(/IR_CONSOLE_DIR/);
  });

  it('refuses an IdP origin that is not an http(s) URL', () => {
    expect(() => loadConfig({ ...oidc, IR_CONSOLE_IDP_ORIGINS: 'javascript:alert(1)' })).toThrow(
      /IR_CONSOLE_IDP_ORIGINS/,
    );
  });

  it('looks for the workspace build at packages/console/dist', () => {
    expect(WORKSPACE_CONSOLE_DIR.replaceAll('\\', '/')).toMatch(/\/packages\/console\/dist$/);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only this origin, and the identity provider for sign-in calls and forms', () => {
    expect(contentSecurityPolicy(['https://idp.example.test', 'https://idp.example.test'])).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' https://idp.example.test; form-action 'self' https://idp.example.test; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});
