import { abortableSleep, errorMessage, isRetryable } from '@ir/runtime';
import { ChannelFailedError, isDeliveryError } from '../errors.js';

/** How a channel is retried. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly attemptTimeoutMs: number;
}

/** Clock, sleep and randomness, injectable so unit tests run without waiting. */
export interface RetryTools {
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

/** Real timers: a sleep that ends early (rejecting) when the signal aborts. */
export const realRetryTools: RetryTools = {
  now: Date.now,
  random: Math.random,
  sleep: abortableSleep,
};

/** What a successful run returns. */
export interface RetryResult<T> {
  readonly value: T;
  readonly attempts: number;
}

/**
 * Exponential back-off with "equal jitter": half the step is fixed, half random, so synchronised
 * workers spread out without a retry ever firing immediately.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Runs `attempt` until it succeeds, fails permanently, runs out of attempts, or the deadline (the
 * step's time budget) leaves no room for the next wait. Each attempt gets its own time-out, never
 * longer than what is left. A Retry-After from the receiver replaces the back-off; when it points past
 * the deadline the channel gives up at once (so its fallback still has time). Throws a
 * {@link ChannelFailedError} carrying the last error and the attempt count.
 */
export async function withRetries<T>(
  channel: string,
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  deadline: number,
  signal: AbortSignal,
  tools: RetryTools = realRetryTools,
): Promise<RetryResult<T>> {
  let attempts = 0;
  for (;;) {
    const remaining = deadline - tools.now();
    if (remaining <= 0 || signal.aborted) {
      throw new ChannelFailedError(
        channel,
        `${channel}: the step's time budget ran out`,
        attempts,
        undefined,
      );
    }
    attempts += 1;
    const attemptSignal = AbortSignal.any([
      signal,
      AbortSignal.timeout(Math.min(policy.attemptTimeoutMs, remaining)),
    ]);
    try {
      return { value: await attempt(attemptSignal), attempts };
    } catch (error: unknown) {
      const tail = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
      if (!isRetryable(error)) {
        throw new ChannelFailedError(channel, `${errorMessage(error)}, not retried ${tail}`, attempts, error);
      }
      if (attempts >= policy.maxAttempts) {
        throw new ChannelFailedError(channel, `${errorMessage(error)}, gave up ${tail}`, attempts, error);
      }
      const retryAfter = isDeliveryError(error) ? error.retryAfterMs : undefined;
      const wait = retryAfter ?? backoffDelay(attempts, policy, tools.random);
      if (tools.now() + wait >= deadline) {
        const why = retryAfter === undefined ? 'the next retry' : `Retry-After (${Math.ceil(wait / 1000)} s)`;
        throw new ChannelFailedError(
          channel,
          `${errorMessage(error)}, ${why} would pass the step's time budget ${tail}`,
          attempts,
          error,
        );
      }
      try {
        await tools.sleep(wait, signal);
      } catch {
        throw new ChannelFailedError(
          channel,
          `${errorMessage(error)}, aborted while waiting ${tail}`,
          attempts,
          error,
        );
      }
    }
  }
}
