import { isolatedAccount } from '@ir/testkit';
import { inject } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type RunningSystem, type SystemOptions, startSystem } from './system.js';

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

/** A fault run's system, with the record of every AWS call its services made. */
export interface ReliabilitySystem extends RunningSystem {
  /**
   * The recording proxy between the services and the emulator: what reached AWS (`recorded()`, for
   * counting double containment from AWS's side with `appliedTwice`), and faults when a test sets a
   * rate.
   */
  readonly proxy: FaultProxy;
}

/**
 * The system for one reliability file, in its own account of the emulator, its services talking to
 * it through a recording proxy (no faults unless the test sets a rate).
 */
export async function reliabilitySystem(
  options: Omit<SystemOptions, 'endpoint' | 'serviceEndpoint' | 'region' | 'account'> = {},
): Promise<ReliabilitySystem> {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const proxy = await startFaultProxy({ upstream: endpoint, record: true });
  const system = await startSystem({
    ...options,
    endpoint,
    serviceEndpoint: proxy.url,
    region,
    account,
    env: { ...FAULT_TUNING, ...options.env },
  });
  return {
    ...system,
    proxy,
    async stop() {
      await system.stop();
      await proxy.stop();
    },
  };
}

/** A pause of a random length in [min, max) ms: where in an incident a fault lands. */
export function randomPause(minMs: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, minMs + Math.random() * (maxMs - minMs)));
}
