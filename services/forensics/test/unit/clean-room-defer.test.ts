import { buildMessage } from '@ir/contracts';
import { createLogger, type HandlerContext, type Publishable } from '@ir/runtime';
import { describe, expect, it } from 'vitest';
import { deferDelaySeconds, deferWhileNotReady } from '../../src/clean-room/defer.js';
import { CleanRoomNotReadyError, StepRefusedError } from '../../src/errors.js';
import type { EvidenceCommand } from '../../src/handlers/types.js';

const sentAt = new Date('2026-11-20T03:00:00.000Z');
const command = (dryRun = false) =>
  buildMessage(
    'evidence.clean-room',
    {
      incidentId: 'inc-1',
      correlationId: 'inc-1',
      causationId: null,
      producer: 'response-coordinator',
      dryRun,
      payload: {
        stepId: 'clean-room',
        action: 'evidence.clean-room',
        playbookId: 'ec2-compromise',
        target: { accountId: '111111111111', region: 'eu-west-1' },
        timeoutSeconds: 3600,
        params: { instanceId: 'i-1' },
      },
    },
    { now: () => sentAt },
  ) as EvidenceCommand<'evidence.clean-room'>;
const context = {
  signal: new AbortController().signal,
  logger: createLogger({ service: 'test', level: 'silent' }),
} as unknown as HandlerContext;

/** Records what would be put back on the forensics queue. */
function recordingPublisher() {
  const sent: { messages: readonly Publishable[]; delaySeconds: number | undefined }[] = [];
  return {
    sent,
    publisher: {
      publish: async (
        _queue: 'forensics',
        messages: readonly Publishable[],
        options?: { delaySeconds?: number },
      ) => {
        sent.push({ messages, delaySeconds: options?.delaySeconds });
      },
    },
  };
}

describe('deferWhileNotReady', () => {
  it('puts the same command back with a delay and sends no result while AWS is not ready', async () => {
    // Prepare
    const { sent, publisher } = recordingPublisher();
    const original = command();
    const now = () => new Date(sentAt.getTime() + 120_000);
    // Act
    const outcome = await deferWhileNotReady({ followups: publisher, now }, original, context, async () => {
      throw new CleanRoomNotReadyError('waiting for snapshot snap-1 (pending)');
    });
    // Assess
    expect(outcome).toEqual({ deferred: true, result: { waiting: 'waiting for snapshot snap-1 (pending)' } });
    expect(sent).toEqual([{ messages: [original], delaySeconds: 60 }]);
  });

  it("fails the step with the last reason once the step's time-out has passed", async () => {
    // Prepare
    const { sent, publisher } = recordingPublisher();
    const now = () => new Date(sentAt.getTime() + 3_601_000);
    // Act
    const run = deferWhileNotReady({ followups: publisher, now }, command(), context, async () => {
      throw new CleanRoomNotReadyError('waiting for analysis instance i-9 to register with SSM');
    });
    // Assess
    await expect(run).rejects.toThrow(StepRefusedError);
    await expect(run).rejects.toThrow(/gave up after 3601 s .*register with SSM/);
    expect(sent).toEqual([]);
  });

  it('lets every other error through, and never defers a dry run', async () => {
    // Prepare
    const { sent, publisher } = recordingPublisher();
    const now = () => sentAt;
    // Act
    const other = deferWhileNotReady({ followups: publisher, now }, command(), context, async () => {
      throw new Error('AccessDenied');
    });
    const dry = deferWhileNotReady({ followups: publisher, now }, command(true), context, async () => {
      throw new CleanRoomNotReadyError('waiting');
    });
    // Assess
    await expect(other).rejects.toThrow('AccessDenied');
    await expect(dry).rejects.toThrow(CleanRoomNotReadyError);
    expect(sent).toEqual([]);
  });
});

describe('deferDelaySeconds', () => {
  it('waits half the time waited, from 15 s to 5 min', () => {
    // Prepare
    const waited = [0, 60, 200, 10_000];
    // Act
    const delays = waited.map(deferDelaySeconds);
    // Assess
    expect(delays).toEqual([15, 30, 100, 300]);
  });
});
