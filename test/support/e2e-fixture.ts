import { isolatedAccount } from '@ir/testkit';
import { inject } from 'vitest';
import { type RunningSystem, type SystemOptions, startSystem } from './system.js';

/**
 * The whole system in a fresh account of the integration project's emulator (vitest's global
 * setup), for one test file.
 */
export async function systemInIsolatedAccount(
  options: Omit<SystemOptions, 'endpoint' | 'region' | 'account'> = {},
): Promise<RunningSystem> {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  return startSystem({ ...options, endpoint, region, account });
}
