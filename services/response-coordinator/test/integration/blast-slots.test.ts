import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { bootstrap, emulatorClients, isolatedAccount } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';
import { blastSlotsUpdate, readBlastSlots } from '../../src/repository/blast-slots.js';
import type { BlastTake } from '../../src/repository/blast-window.js';

describe('the blast-radius slots in a transaction (on the emulator)', () => {
  it('takes a slot only while it holds the value read, so one of two decisions that read it wins', async () => {
    // Prepare: a ring of 3; every take below was decided on the empty ring, except the last
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const { tableName } = await bootstrap({ prefix: 'ir', clients });
    const take = (slots: BlastTake['slots'], at: number) =>
      clients.dynamodb
        .send(new TransactWriteItemsCommand({ TransactItems: [blastSlotsUpdate(tableName, { at, slots })] }))
        .then(
          () => 'taken',
          (error: unknown) => (error as Error).name,
        );
    const free = { previous: undefined };
    // Act
    const outcomes = [
      await take([{ index: 0, ...free }], 1_000),
      // Another replica read slot 0 free too: refused.
      await take([{ index: 0, ...free }], 1_001),
      // A stale read costs nothing when the slot taken is another one.
      await take([{ index: 2, ...free }], 1_002),
      // Two slots in one commit: all or nothing (slot 2 is no longer free).
      await take(
        [
          { index: 1, ...free },
          { index: 2, ...free },
        ],
        1_003,
      ),
      // Slot 0 again, a window later, decided on the value it holds: taken.
      await take([{ index: 0, previous: 1_000 }], 9_000),
    ];
    // Assess
    expect(outcomes).toEqual([
      'taken',
      'TransactionCanceledException',
      'taken',
      'TransactionCanceledException',
      'taken',
    ]);
    expect(await readBlastSlots(clients.dynamodb, tableName, 4)).toEqual([
      9_000,
      undefined,
      1_002,
      undefined,
    ]);
    clients.destroy();
  });
});
