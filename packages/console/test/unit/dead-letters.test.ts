import { type DeadLetterMessage, type RedriveResult, SystemQueueName } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api.js';
import { DEAD_LETTER_QUEUES, isQueueName, keepSelected, redriveMessage } from '../../src/dead-letters.js';

const message = (messageId: string, redrivable = true): DeadLetterMessage => ({
  messageId,
  reason: 'schema',
  error: 'FindingRejected',
  detail: 'detail.accountId: Required',
  sourceQueue: 'ir-findings',
  failedAt: '2026-12-07T04:00:00.000Z',
  receiveCount: '1',
  type: null,
  incidentId: null,
  body: '{}',
  redrivable,
});

describe('isQueueName', () => {
  it("accepts the system's five work queues only, as the contract lists them", () => {
    expect(DEAD_LETTER_QUEUES).toEqual(SystemQueueName.options);
    expect(isQueueName('coordinator')).toBe(true);
    expect(isQueueName('ir-findings-dlq')).toBe(false);
    expect(isQueueName('toString')).toBe(false);
  });
});

describe('keepSelected', () => {
  it('keeps only ids that are still listed and redrivable', () => {
    const selected = new Set(['a', 'b', 'forged']);

    const kept = keepSelected(selected, [message('a'), message('forged', false), message('c')]);

    expect([...kept]).toEqual(['a']);
  });
});

describe('redriveMessage', () => {
  const result: RedriveResult = {
    queue: 'findings',
    from: 'ir-findings-dlq',
    to: 'ir-findings',
    moved: ['m-1'],
    problems: [{ messageId: 'm-2', stage: 'refused', message: 'forged decision' }],
    notFound: [],
  };

  it('counts what moved, what did not and what was not found', () => {
    expect(redriveMessage(result)).toBe(
      'Redrive from ir-findings-dlq to ir-findings: moved 1 message, 1 problem, 0 not found.',
    );
    expect(redriveMessage({ ...result, moved: [], problems: [] })).toBe(
      'Redrive from ir-findings-dlq to ir-findings: moved 0 messages, 0 problems, 0 not found.',
    );
  });

  it("carries the API's status and message for a refusal", () => {
    expect(redriveMessage(new ApiError(403, 'forbidden', 'redriving needs the admin role'))).toBe(
      'Redrive refused (403 forbidden): redriving needs the admin role',
    );
    expect(redriveMessage(new Error('network down'))).toBe('Redrive failed: network down');
  });
});
