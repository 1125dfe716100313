import { inject } from 'vitest';
import { emulatorClients, isolatedAccount } from '../../src/index.js';

/** A fresh emulated account and clients acting in it; call `clients.destroy()` when done. */
export async function accountFixture() {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  return { endpoint, region, account, clients };
}
