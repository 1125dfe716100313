import { describe, expect, it } from 'vitest';
import { type DeviceAuthorization, pollDeviceToken, type TokenResult } from '../../src/auth/oidc.js';
import { ExitCode, LoginError } from '../../src/errors.js';

/*
 * The polling rules of RFC 8628 §3.5, on scripted token-endpoint answers and a virtual clock. Why not
 * the local identity provider: oidc-provider never answers slow_down, access_denied needs a person
 * to refuse, and a 600 s expiry would take 600 s. The whole flow against the provider is in
 * test/integration/login.test.ts.
 */

/** A virtual clock whose sleep advances it, and the waits it was asked for. */
function virtualTiming() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const waits: number[] = [];
  return {
    waits,
    timing: {
      now: () => new Date(now),
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
    },
    start: () => new Date(now),
  };
}

const device = (start: Date, overrides: Partial<DeviceAuthorization> = {}): DeviceAuthorization => ({
  deviceCode: 'device-code',
  userCode: 'ABCD-EFGH',
  verificationUri: 'https://idp.example.test/device',
  expiresAt: new Date(start.getTime() + 600_000),
  intervalSeconds: 5,
  ...overrides,
});

/** Answers in order; the test fails if polled more often than scripted. */
function script(...answers: TokenResult[]) {
  let calls = 0;
  return {
    request: async (): Promise<TokenResult> => {
      const answer = answers[calls];
      calls += 1;
      if (!answer) throw new Error(`polled ${calls} times, ${answers.length} answers scripted`);
      return answer;
    },
    calls: () => calls,
  };
}

const pending: TokenResult = { ok: false, error: 'authorization_pending' };
const tokens: TokenResult = { ok: true, tokens: { accessToken: 'at', refreshToken: 'rt' } };

describe('pollDeviceToken', () => {
  it('waits the interval between polls, keeps polling while pending, and returns the tokens', async () => {
    // Prepare
    const clock = virtualTiming();
    const answers = script(pending, pending, tokens);
    // Act
    const result = await pollDeviceToken(
      device(clock.start(), { intervalSeconds: 7 }),
      answers.request,
      clock.timing,
    );
    // Assess
    expect(result).toEqual({ accessToken: 'at', refreshToken: 'rt' });
    expect(clock.waits).toEqual([7000, 7000, 7000]);
  });

  it('adds 5 s to the interval on each slow_down and keeps the longer interval', async () => {
    // Prepare
    const clock = virtualTiming();
    const slowDown: TokenResult = { ok: false, error: 'slow_down' };
    const answers = script(slowDown, pending, slowDown, pending, tokens);
    // Act
    await pollDeviceToken(device(clock.start()), answers.request, clock.timing);
    // Assess
    expect(clock.waits).toEqual([5000, 10_000, 10_000, 15_000, 15_000]);
  });

  it('stops on access_denied (exit 6) and on expired_token (exit 1), saying what happened', async () => {
    // Prepare
    const clock = virtualTiming();
    const denied = script(pending, { ok: false, error: 'access_denied' });
    const expired = script({ ok: false, error: 'expired_token' });
    // Act
    const deniedError = await pollDeviceToken(device(clock.start()), denied.request, clock.timing).catch(
      (e) => e,
    );
    const expiredError = await pollDeviceToken(device(clock.start()), expired.request, clock.timing).catch(
      (e) => e,
    );
    // Assess
    expect(deniedError).toBeInstanceOf(LoginError);
    expect(deniedError).toMatchObject({
      exitCode: ExitCode.unauthorized,
      message: expect.stringContaining('denied'),
    });
    expect(expiredError).toMatchObject({
      exitCode: ExitCode.failed,
      message: expect.stringContaining('run irctl login again'),
    });
  });

  it('gives up at the code expiry without polling past it', async () => {
    // Prepare: the code lives 12 s and the person never signs in.
    const clock = virtualTiming();
    const answers = script(pending, pending, pending);
    const short = device(clock.start(), { expiresAt: new Date(clock.start().getTime() + 12_000) });
    // Act
    const error = await pollDeviceToken(short, answers.request, clock.timing).catch((e) => e);
    // Assess
    expect(error).toMatchObject({
      exitCode: ExitCode.failed,
      message: expect.stringContaining('code expired'),
    });
    expect(answers.calls()).toBe(3);
  });

  it('stops on any other error with the provider words made printable', async () => {
    // Prepare
    const clock = virtualTiming();
    const answers = script({ ok: false, error: 'invalid_client', description: 'no \u001b[31mclient' });
    // Act
    const error = await pollDeviceToken(device(clock.start()), answers.request, clock.timing).catch((e) => e);
    // Assess
    expect(error).toMatchObject({ exitCode: ExitCode.unauthorized });
    expect(String(error.message)).toContain('invalid_client (no \\u001b[31mclient)');
  });
});
