import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/handlers/findings.js';

describe('outcomeOf', () => {
  it.each([
    ['opened', 1, 'accepted'],
    ['opened', 3, 'accepted'],
    ['attached', 1, 'coalesced'],
    ['re-emitted', 2, 'coalesced'],
    ['stale', 1, 'coalesced'],
    ['stale', 2, 'duplicate'],
    ['duplicate', 1, 'duplicate'],
  ] as const)('%s on delivery %i counts as %s', (decision, receiveCount, expected) => {
    // Prepare: the decision above
    // Act
    const outcome = outcomeOf(decision, receiveCount);
    // Assess
    expect(outcome).toBe(expected);
  });
});
