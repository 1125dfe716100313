import type { Logger } from 'pino';

/** Settings of {@link createReceiveBackoff}. */
export interface ReceiveBackoffSettings {
  /** Pause after the first failed receive of a streak (before jitter). */
  readonly baseMs: number;
  /** The pause never exceeds this, however long the streak. */
  readonly maxMs: number;
  /** A streak that has lasted this long makes the worker report itself not ready. */
  readonly unreadyAfterMs: number;
}

/** Defaults: a 5 s outage costs about 8 s of polling; a long one is retried every 10–20 s. */
export const DEFAULT_RECEIVE_BACKOFF: ReceiveBackoffSettings = {
  baseMs: 500,
  maxMs: 20_000,
  unreadyAfterMs: 30_000,
};

/** What a failed receive changed. */
export interface ReceiveFailure {
  /** Consecutive failed receives, this one included. */
  readonly streak: number;
  /** The pause to take before the next receive. */
  readonly delayMs: number;
}

/** What a successful receive ended, if anything. */
export interface ReceiveRecovery {
  readonly failures: number;
  readonly failingForMs: number;
}

/** Consecutive failed receives of one worker, and the pause each calls for. */
export interface ReceiveBackoff {
  /** Records a failed receive; returns the streak and the pause before the next receive. */
  failed(): ReceiveFailure;
  /** Records a successful receive; returns the streak it ended, or undefined when there was none. */
  succeeded(): ReceiveRecovery | undefined;
  /** The pause still owed before the next receive (0 outside a streak). */
  readonly delayMs: number;
  /** True once the current streak has lasted `unreadyAfterMs`. */
  readonly unready: boolean;
}

/**
 * The pause after the n-th consecutive failure: base · 2^(n-1), capped, with "equal jitter" (half
 * fixed, half random). Why jitter: every replica of every service loses the endpoint at the same
 * moment, and without it they would all come back in step and hammer it together.
 */
export function receiveBackoffDelayMs(
  streak: number,
  settings: Pick<ReceiveBackoffSettings, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  if (streak < 1) return 0;
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(streak - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Tracks a streak of failed receives. Why the runtime needs it: sqs-consumer polls again at once after
 * an error that is not an authentication error, so an endpoint that is down (an outage, a restarted
 * emulator, a network partition) would be hammered in a tight loop, with one error line per try.
 */
export function createReceiveBackoff(
  settings: ReceiveBackoffSettings = DEFAULT_RECEIVE_BACKOFF,
  now: () => number = Date.now,
  random: () => number = Math.random,
): ReceiveBackoff {
  let streak = 0;
  let since: number | undefined;
  let delay = 0;
  return {
    failed() {
      streak += 1;
      since ??= now();
      delay = receiveBackoffDelayMs(streak, settings, random);
      return { streak, delayMs: delay };
    },
    succeeded() {
      if (streak === 0) return undefined;
      const recovery = { failures: streak, failingForMs: now() - (since ?? now()) };
      streak = 0;
      since = undefined;
      delay = 0;
      return recovery;
    },
    get delayMs() {
      return delay;
    },
    get unready() {
      return since !== undefined && now() - since >= settings.unreadyAfterMs;
    },
  };
}

/** A pause that ends early when `signal` aborts (a back-off must not hold up a shutdown). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Thrown before a receive that should not happen (the worker is draining); never logged as a failure. */
export class ReceiveSkippedError extends Error {
  override readonly name = 'ReceiveSkippedError';
  constructor() {
    super('receive skipped: the worker is draining');
  }
}

/** The receive side of a worker: sqs-consumer's pre/post-receive callbacks and its receive errors. */
export interface ReceiveGuard {
  /** Before each receive: the pause a streak of failures calls for; throws while draining. */
  before(): Promise<void>;
  /** After a receive that worked: ends a streak of failures, if there was one. */
  after(): Promise<void>;
  /** A failed receive: counted every time, logged once per streak (the recovery is logged too). */
  failed(error: unknown): void;
  /** True once receives have been failing for `unreadyAfterMs`: `/readyz` turns 503. */
  readonly unready: boolean;
  start(): void;
  /** Cuts a back-off pause short, so it does not hold up a shutdown. */
  stop(): void;
}

/** Settings of {@link createReceiveGuard}. */
export interface ReceiveGuardSettings {
  readonly settings?: Partial<ReceiveBackoffSettings> | undefined;
  readonly log: Logger;
  readonly isRunning: () => boolean;
  /** Counts a failure (the worker's metric). */
  readonly onFailure: () => void;
  readonly now: () => number;
}

/** Wires {@link createReceiveBackoff} into a worker's receive loop. */
export function createReceiveGuard(options: ReceiveGuardSettings): ReceiveGuard {
  const { log } = options;
  const backoff = createReceiveBackoff({ ...DEFAULT_RECEIVE_BACKOFF, ...options.settings }, options.now);
  let stopping = new AbortController();
  return {
    async before() {
      if (backoff.delayMs > 0) await pause(backoff.delayMs, stopping.signal);
      if (!options.isRunning()) throw new ReceiveSkippedError();
    },
    async after() {
      const recovery = backoff.succeeded();
      if (recovery) {
        log.info(
          { failures: recovery.failures, failingForSeconds: recovery.failingForMs / 1000 },
          'queue_receive_recovered',
        );
      }
    },
    failed(error) {
      if (!options.isRunning()) {
        log.debug({ err: error }, 'queue_receive_skipped');
        return;
      }
      options.onFailure();
      const { streak, delayMs } = backoff.failed();
      if (streak === 1) log.error({ err: error, retryInMs: delayMs }, 'queue_receive_failed');
      else log.debug({ err: error, streak, retryInMs: delayMs }, 'queue_receive_failed_again');
    },
    get unready() {
      return backoff.unready;
    },
    start() {
      stopping = new AbortController();
    },
    stop() {
      stopping.abort();
    },
  };
}
