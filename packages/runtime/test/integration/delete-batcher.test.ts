import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { queueDepth } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { createDeleteBatcher } from '../../src/worker/delete-batcher.js';
import { queueFixture } from './harness.js';

describe('createDeleteBatcher (on the emulator)', () => {
  it('deletes what SQS accepts, and reports a refused delete whose message stays on the queue', async () => {
    // Prepare: two messages received; one of them carries a receipt handle SQS does not know
    const fixture = await queueFixture();
    const queueUrl = fixture.system.queues.findings.url;
    for (const n of [1, 2]) {
      await fixture.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `{"n":${n}}` }),
      );
    }
    const received =
      (
        await fixture.clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 2 }),
        )
      ).Messages ?? [];
    const failures: number[] = [];
    const batcher = createDeleteBatcher({
      sqs: fixture.sqs,
      queueUrl,
      maxWaitMs: 60_000,
      log: fixture.logger,
      onFailed: (count) => failures.push(count),
    });
    // Act: the long wait is cut short by flush
    const [good, other] = received;
    batcher.add(good as (typeof received)[number]);
    batcher.add({ ...other, ReceiptHandle: 'not-a-receipt-handle' });
    await batcher.flush();
    // Assess: one refused, logged with its message id; that message comes back, the other is gone
    expect(received).toHaveLength(2);
    expect(failures).toEqual([1]);
    const logged = fixture.lines.find((line) => line.msg === 'message_delete_failed');
    expect(logged?.messageIds).toEqual([other?.MessageId]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await queueDepth(fixture.clients.sqs, queueUrl)).toBe(1);
  });
});
