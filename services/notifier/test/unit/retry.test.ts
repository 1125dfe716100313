import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/delivery/http.js';
import { backoffDelay, type RetryTools, withRetries } from '../../src/delivery/retry.js';
import { DeliveryError } from '../../src/errors.js';

const policy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, attemptTimeoutMs: 5_000 };

/** A virtual clock: sleeping advances it, so tests never wait. */
function virtualTools(): RetryTools & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    random: () => 1,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const fail = (status: number, retryAfterMs?: number) =>
  new DeliveryError('slack', `slack: HTTP ${status}`, {
    retryable: status === 429 || status >= 500,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

/** An attempt function that throws the given errors in turn, then succeeds. */
function scripted(errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      const error = errors[calls];
      calls += 1;
      if (error) throw error;
      return 'ok';
    },
  };
}

describe('withRetries', () => {
  it('retries a 5xx with growing back-off and returns the attempt count', async () => {
    // Prepare
    const tools = virtualTools();
    const attempt = scripted([fail(500), fail(502)]);
    // Act
    const result = await withRetries(
      'slack',
      attempt.run,
      policy,
      60_000,
      new AbortController().signal,
      tools,
    );
    // Assess
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    expect(tools.slept).toEqual([500, 1_000]);
  });

  it('waits exactly what Retry-After says instead of the back-off', async () => {
    // Prepare
    const tools = virtualTools();
    const attempt = scripted([fail(429, 7_000)]);
    // Act
    await withRetries('slack', attempt.run, policy, 60_000, new AbortController().signal, tools);
    // Assess
    expect(tools.slept).toEqual([7_000]);
  });

  it('gives up at once when Retry-After points past the time budget', async () => {
    // Prepare
    const tools = virtualTools();
    const attempt = scripted([fail(429, 120_000)]);
    // Act
    const run = withRetries('slack', attempt.run, policy, 60_000, new AbortController().signal, tools);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ChannelFailedError', attempts: 1 });
    await expect(run).rejects.toThrow(/Retry-After \(120 s\) would pass the step's time budget/);
    expect(tools.slept).toEqual([]);
  });

  it('does not retry a permanent refusal', async () => {
    // Prepare
    const tools = virtualTools();
    const attempt = scripted([fail(403)]);
    // Act / Assess
    await expect(
      withRetries('slack', attempt.run, policy, 60_000, new AbortController().signal, tools),
    ).rejects.toThrow('slack: HTTP 403, not retried after 1 attempt');
    expect(attempt.calls).toBe(1);
  });

  it('stops after the maximum number of attempts', async () => {
    // Prepare
    const tools = virtualTools();
    const attempt = scripted([fail(500), fail(500), fail(500), fail(500), fail(500)]);
    // Act / Assess
    await expect(
      withRetries('slack', attempt.run, policy, 600_000, new AbortController().signal, tools),
    ).rejects.toThrow('gave up after 4 attempts');
    expect(attempt.calls).toBe(4);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, capped, with at least half of each step fixed', () => {
    // Prepare / Act / Assess
    expect([1, 2, 3, 10].map((n) => backoffDelay(n, policy, () => 1))).toEqual([500, 1_000, 2_000, 8_000]);
    expect(backoffDelay(3, policy, () => 0)).toBe(1_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores nonsense', () => {
    // Prepare
    const now = Date.parse('2026-01-01T00:00:00Z');
    // Act / Assess
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
