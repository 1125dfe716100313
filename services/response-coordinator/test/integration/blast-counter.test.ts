import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { bootstrap, emulatorClients, isolatedAccount } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';
import { blastCounterUpdate, blastUsed } from '../../src/repository/blast-counter.js';

describe('the blast-radius counter in a transaction (on the emulator)', () => {
  it('takes slots while they fit under the maximum, whatever count was read, and refuses those that do not', async () => {
    // Prepare: a window of 3; every decision below read the counter when it was still 0
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const { tableName } = await bootstrap({ prefix: 'ir', clients });
    const window = { windowStart: '2026-12-07T00:00:00.000Z', expiresAt: 1_796_601_600, max: 3 };
    const take = (used: number) =>
      clients.dynamodb
        .send(new TransactWriteItemsCommand({ TransactItems: [blastCounterUpdate(tableName, window, used)] }))
        .then(
          () => 'taken',
          (error: unknown) => (error as Error).name,
        );
    // Act
    const outcomes = [await take(1), await take(1), await take(2), await take(1), await take(1)];
    // Assess: the third wanted 2 of the 1 left; the fifth found the window full
    expect(outcomes).toEqual([
      'taken',
      'taken',
      'TransactionCanceledException',
      'taken',
      'TransactionCanceledException',
    ]);
    expect(await blastUsed(clients.dynamodb, tableName, window.windowStart)).toBe(3);
    clients.destroy();
  });
});
