import { buildMessage } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { envelopeParser, isRetryable } from '../../src/index.js';

const approval = buildMessage('approval.granted', {
  incidentId: 'inc-1',
  correlationId: 'inc-1',
  causationId: null,
  producer: 'test',
  dryRun: false,
  payload: { stepId: 'contain-instance', by: 'alice' },
});

describe('envelopeParser', () => {
  it('returns the typed message with its labels', () => {
    const parse = envelopeParser('coordinator', ['approval.granted']);
    const parsed = parse({ Body: JSON.stringify(approval) });
    expect(parsed).toMatchObject({ type: 'approval.granted', incidentId: 'inc-1', correlationId: 'inc-1' });
    expect(parsed.value.payload).toEqual({ stepId: 'contain-instance', by: 'alice' });
  });

  it('refuses a valid message of a type this queue does not handle, without retry', () => {
    const parse = envelopeParser('isolator', ['contain.ec2-instance']);
    const error = (() => {
      try {
        parse({ Body: JSON.stringify(approval) });
      } catch (caught: unknown) {
        return caught;
      }
    })();
    expect(error).toMatchObject({ reason: 'unknown-type' });
    expect(isRetryable(error)).toBe(false);
  });

  it('lets contract errors through, naming the field, without retry', () => {
    const parse = envelopeParser('coordinator', ['approval.granted']);
    const broken = { ...approval, payload: { by: 'alice' } };
    expect(() => parse({ Body: JSON.stringify(broken) })).toThrow(/payload\.stepId/);
    expect(
      isRetryable(
        (() => {
          try {
            parse({ Body: '{' });
          } catch (e: unknown) {
            return e;
          }
        })(),
      ),
    ).toBe(false);
  });
});
