import { DeadLetterMessage } from '@ir/contracts';
import { type DeadLetter, RETRIES_EXHAUSTED, redriveRefusal } from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RefusalReason } from '../../../src/decision-signing.js';
import { createDeadLetterMetrics } from '../../../src/dlq/dlq-metrics.js';
import { redriveCounts } from '../../../src/dlq/dlq-routes.js';
import { deadLetterMessage } from '../../../src/dlq/redrivable.js';
import { ForgedDecisionError } from '../../../src/errors.js';

/** A dead letter with `reason`; the rest is filler. */
const letter = (reason: string): DeadLetter => ({
  messageId: `m-${reason}`,
  reason,
  error: null,
  detail: null,
  sourceQueue: 'coordinator',
  failedAt: null,
  receiveCount: '1',
  type: 'approval.granted',
  incidentId: 'inc-1',
  body: '{}',
});

describe('redriveRefusal', () => {
  it('refuses every decision the coordinator dead-lettered for its signature, whatever the why', () => {
    // Prepare: the reasons ForgedDecisionError really gives, one per refusal.
    const reasons = Object.values(RefusalReason).map(
      (why) => new ForgedDecisionError('inc-1', 'approval.granted', why).reason,
    );
    // Act
    const refusals = reasons.map((reason) => redriveRefusal(letter(reason)));
    // Assess
    expect(reasons).toHaveLength(4);
    for (const [index, refusal] of refusals.entries()) {
      expect(refusal).toContain(reasons[index]);
      expect(refusal).toMatch(/evidence of a forgery/);
    }
  });

  it('lets everything else go back: schema errors, unknown incidents, exhausted retries', () => {
    // Act
    const refusals = ['schema', 'unknown-incident', RETRIES_EXHAUSTED, 'signature'].map((reason) =>
      redriveRefusal(letter(reason)),
    );
    // Assess
    expect(refusals).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('deadLetterMessage', () => {
  it('answers the contract shape, redrivable unless refused', () => {
    // Act
    const forged = deadLetterMessage(letter('decision-signature-missing'));
    const schema = deadLetterMessage(letter('schema'));
    // Assess
    expect(DeadLetterMessage.parse(forged)).toEqual({
      ...letter('decision-signature-missing'),
      redrivable: false,
    });
    expect(DeadLetterMessage.parse(schema).redrivable).toBe(true);
  });
});

describe('redriveCounts', () => {
  it('counts moved messages and each problem under its outcome label', () => {
    // Act
    const counts = redriveCounts({
      moved: ['a', 'b'],
      problems: [
        { messageId: 'c', stage: 'refused', message: 'forged' },
        { messageId: 'd', stage: 'send', message: 'AccessDenied: no' },
        { messageId: 'e', stage: 'delete', message: 'ReceiptHandleIsInvalid: gone' },
        { messageId: 'f', stage: 'refused', message: 'forged' },
      ],
    });
    // Assess
    expect(counts).toEqual({ moved: 2, refused: 2, send_failed: 1, delete_failed: 1 });
  });
});

describe('createDeadLetterMetrics', () => {
  it('starts every queue and outcome at 0, so the first redrive is an increase', async () => {
    // Prepare
    const registry = new Registry();
    // Act
    createDeadLetterMetrics(registry);
    // Assess
    const text = await registry.metrics();
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('ir_coordinator_dead_letters_redriven_total{'));
    expect(series).toHaveLength(20);
    expect(series).toContain(
      'ir_coordinator_dead_letters_redriven_total{queue="coordinator",outcome="refused"} 0',
    );
  });
});
