import { buildMessage } from '@ir/contracts';
import { createLogger, deferred, type Publishable, type StepContext } from '@ir/runtime';
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
/** The step context the step worker would build for the command, at `now`. */
function contextOf(
  original: EvidenceCommand<'evidence.clean-room'>,
  now: () => Date,
): StepContext<'evidence.clean-room'> {
  const { payload } = original;
  return {
    incidentId: original.incidentId,
    correlationId: original.correlationId,
    stepId: payload.stepId,
    action: payload.action,
    dryRun: original.dryRun,
    target: payload.target,
    command: original,
    logger: createLogger({ service: 'test', level: 'silent' }),
    signal: new AbortController().signal,
    deadline: new Date(Date.parse(original.sentAt) + payload.timeoutSeconds * 1000),
    attempt: 1,
    now,
    client: async () => {
      throw new Error('no AWS call in these tests');
    },
  };
}

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
    const outcome = await deferWhileNotReady({ followups: publisher }, contextOf(original, now), async () => {
      throw new CleanRoomNotReadyError('waiting for snapshot snap-1 (pending)');
    });
    // Assess
    expect(outcome).toEqual(deferred('waiting for snapshot snap-1 (pending)'));
    expect(sent).toEqual([{ messages: [original], delaySeconds: 60 }]);
  });

  it("fails the step with the last reason once the step's time-out has passed", async () => {
    // Prepare
    const { sent, publisher } = recordingPublisher();
    const now = () => new Date(sentAt.getTime() + 3_601_000);
    // Act
    const run = deferWhileNotReady({ followups: publisher }, contextOf(command(), now), async () => {
      throw new CleanRoomNotReadyError('waiting for analysis instance i-9 to register with SSM');
    });
    // Assess
    await expect(run).rejects.toThrow(StepRefusedError);
    await expect(run).rejects.toThrow(/gave up after 3601 s .*register with SSM/);
    expect(sent).toEqual([]);
  });

  it('fails the step now, naming the reason, when the next look would fall past its deadline', async () => {
    // Prepare: 3500 s of 3600 waited; the next look (in 300 s) would arrive after the deadline.
    const { sent, publisher } = recordingPublisher();
    const now = () => new Date(sentAt.getTime() + 3_500_000);
    // Act
    const run = deferWhileNotReady({ followups: publisher }, contextOf(command(), now), async () => {
      throw new CleanRoomNotReadyError('waiting for volume vol-1 to detach');
    });
    // Assess
    await expect(run).rejects.toThrow(StepRefusedError);
    await expect(run).rejects.toThrow(/gave up after 3500 s .*3600 s time-out.*vol-1 to detach/);
    expect(sent).toEqual([]);
  });

  it('lets every other error through, and never defers a dry run', async () => {
    // Prepare
    const { sent, publisher } = recordingPublisher();
    const now = () => sentAt;
    // Act
    const other = deferWhileNotReady({ followups: publisher }, contextOf(command(), now), async () => {
      throw new Error('AccessDenied');
    });
    const dry = deferWhileNotReady({ followups: publisher }, contextOf(command(true), now), async () => {
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
