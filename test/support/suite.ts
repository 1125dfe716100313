import { afterAll, beforeAll } from 'vitest';
import type { RunningSystem } from './system.js';

/**
 * Starts a system before the file's tests and stops it after them; returns a getter (the system
 * exists only once `beforeAll` ran). Why a getter: a `let` per file repeated the same hooks in every
 * suite.
 */
export function useSystem<S extends RunningSystem = RunningSystem>(
  start: () => Promise<S>,
  cleanup?: () => Promise<void>,
): () => S {
  let system: S | undefined;
  beforeAll(async () => {
    system = await start();
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
    await cleanup?.();
  }, 120_000);
  return () => {
    if (!system) throw new Error('the system is not started (beforeAll failed?)');
    return system;
  };
}
