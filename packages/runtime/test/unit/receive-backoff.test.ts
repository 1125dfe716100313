import { describe, expect, it } from 'vitest';
import { createReceiveBackoff, receiveBackoffDelayMs } from '../../src/worker/receive-backoff.js';

const settings = { baseMs: 500, maxMs: 20_000, unreadyAfterMs: 30_000 };

describe('receiveBackoffDelayMs', () => {
  it('doubles from the base, stays within [half, whole] of each step, and stops at the cap', () => {
    // Prepare
    const lowest = () => 0;
    const highest = () => 1;

    // Act
    const low = [1, 2, 3, 4, 10, 60].map((streak) => receiveBackoffDelayMs(streak, settings, lowest));
    const high = [1, 2, 3, 4, 10, 60].map((streak) => receiveBackoffDelayMs(streak, settings, highest));

    // Assess
    expect(low).toEqual([250, 500, 1000, 2000, 10_000, 10_000]);
    expect(high).toEqual([500, 1000, 2000, 4000, 20_000, 20_000]);
    expect(receiveBackoffDelayMs(0, settings, highest)).toBe(0);
  });
});

describe('createReceiveBackoff', () => {
  it('grows with a streak, becomes unready after a while, and resets on the first success', () => {
    // Prepare
    let now = 1_000_000;
    const backoff = createReceiveBackoff(
      settings,
      () => now,
      () => 1,
    );

    // Act
    const first = backoff.failed();
    now += 10_000;
    const second = backoff.failed();
    const readyAfter10s = !backoff.unready;
    now += 20_000;
    backoff.failed();
    const unreadyAfter30s = backoff.unready;
    now += 5_000;
    const recovery = backoff.succeeded();

    // Assess
    expect(first).toEqual({ streak: 1, delayMs: 500 });
    expect(second).toEqual({ streak: 2, delayMs: 1000 });
    expect(readyAfter10s).toBe(true);
    expect(unreadyAfter30s).toBe(true);
    expect(recovery).toEqual({ failures: 3, failingForMs: 35_000 });
    expect(backoff.delayMs).toBe(0);
    expect(backoff.unready).toBe(false);
    expect(backoff.succeeded()).toBeUndefined();
    expect(backoff.failed()).toEqual({ streak: 1, delayMs: 500 });
  });
});
