import { systemInIsolatedAccount } from './e2e-fixture.js';
import type { SystemOptions } from './system.js';

/**
 * How many times each fault case repeats: `IR_RELIABILITY_REPEAT` (`pnpm test:reliability` sets 10;
 * `pnpm test` runs each once to stay inside CI's budget).
 */
export function reliabilityRepeat(fallback = 1): number {
  const value = Number(process.env.IR_RELIABILITY_REPEAT ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`IR_RELIABILITY_REPEAT must be a positive integer: ${value}`);
  return value;
}

/**
 * Service settings for fault runs: short visibility and heartbeat, so a message held by a killed
 * process comes back within seconds instead of a minute.
 */
export const FAULT_TUNING: NonNullable<SystemOptions['env']> = {
  all: { IR_VISIBILITY_TIMEOUT_SECONDS: '8', IR_HEARTBEAT_SECONDS: '3' },
};

/** The system for one reliability file, in its own account. */
export function reliabilitySystem(options: Omit<SystemOptions, 'endpoint' | 'region' | 'account'> = {}) {
  return systemInIsolatedAccount({ ...options, env: { ...FAULT_TUNING, ...options.env } });
}

/** A pause of a random length in [min, max) ms: where in an incident a fault lands. */
export function randomPause(minMs: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * (maxMs - minMs)));
}
