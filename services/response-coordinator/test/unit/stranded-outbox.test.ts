import { describe, expect, it } from 'vitest';
import { isStranded } from '../../src/handlers/apply.js';
import { OUTBOX_GRACE_MS, type OutboxEntry } from '../../src/model.js';

const now = new Date('2026-12-07T12:00:00.000Z');
const entry = (committedAgoMs: number | undefined, causedBy?: string): OutboxEntry => ({
  queue: 'isolator',
  messageId: 'cmd-1',
  body: '{}',
  ...(committedAgoMs === undefined
    ? {}
    : { committedAt: new Date(now.getTime() - committedAgoMs).toISOString() }),
  ...(causedBy ? { causedBy } : {}),
});

describe('which outbox entries the next writer publishes', () => {
  it.each([
    {
      case: 'a fresh entry of another message (its writer is publishing it)',
      e: entry(50, 'msg-a'),
      stranded: false,
    },
    {
      case: 'a fresh entry of this very message (a redelivery: its writer died)',
      e: entry(50, 'msg-b'),
      stranded: true,
    },
    { case: 'an entry older than the grace', e: entry(OUTBOX_GRACE_MS + 1, 'msg-a'), stranded: true },
    { case: 'an entry written before commit times were read back', e: entry(undefined), stranded: true },
  ])('$case: $stranded', ({ e, stranded }) => {
    // Act
    const answer = isStranded(e, 'msg-b', now);

    // Assess
    expect(answer).toBe(stranded);
  });

  it('never takes a sweeper tick (no causation) for a redelivery', () => {
    // Act
    const answer = isStranded(entry(50), null, now);

    // Assess
    expect(answer).toBe(false);
  });
});
