import { describe, expect, it } from 'vitest';
import { chooseSlots, freeSlots, takeSlots } from '../../src/repository/blast-window.js';

const at = (iso: string) => Date.parse(iso);

describe('freeSlots', () => {
  it('frees a slot exactly one window after it was taken, not at a fixed boundary', () => {
    // Prepare: a 1 h window; slot 0 taken at 13:59:00, slot 1 at 14:00:30
    const slots = [at('2024-05-02T13:59:00Z'), at('2024-05-02T14:00:30Z'), undefined];
    // Act
    const atBoundary = freeSlots(slots, 3, new Date('2024-05-02T14:00:31Z'), 3600);
    const justBefore = freeSlots(slots, 3, new Date('2024-05-02T14:58:59.999Z'), 3600);
    const anHourOn = freeSlots(slots, 3, new Date('2024-05-02T14:59:00Z'), 3600);
    const later = freeSlots(slots, 3, new Date('2024-05-02T15:00:30Z'), 3600);
    // Assess: across the 14:00 boundary both stay taken; each frees a whole window after its take
    expect(atBoundary).toEqual([2]);
    expect(justBefore).toEqual([2]);
    expect(anHourOn).toEqual([0, 2]);
    expect(later).toEqual([0, 1, 2]);
  });

  it('counts only the first max slots: a lowered maximum ignores the rest, a raised one adds free ones', () => {
    // Prepare
    const now = new Date('2024-05-02T14:00:00Z');
    const recent = now.getTime() - 1000;
    const slots = [recent, undefined, recent, undefined];
    // Act / Assess
    expect(freeSlots(slots, 2, now, 3600)).toEqual([1]);
    expect(freeSlots(slots, 6, now, 3600)).toEqual([1, 3, 4, 5]);
    expect(freeSlots(slots, 0, now, 3600)).toEqual([]);
  });
});

describe('chooseSlots and takeSlots', () => {
  it('chooses distinct free slots, as many as asked', () => {
    // Prepare
    const free = [0, 3, 4, 7, 9];
    // Act
    const chosen = chooseSlots(free, 3);
    // Assess
    expect(new Set(chosen).size).toBe(3);
    expect(chosen.every((index) => free.includes(index))).toBe(true);
  });

  it('spreads its choice over every free slot (so replicas rarely pick the same one)', () => {
    // Prepare: a deterministic sequence of "random" numbers over [0, 1)
    const seen = new Set<number>();
    // Act
    for (let step = 0; step < 10; step += 1) {
      const [index] = chooseSlots([2, 5, 6, 8, 11], 1, () => step / 10);
      seen.add(index as number);
    }
    // Assess
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 5, 6, 8, 11]);
  });

  it('refuses to take more slots than are free', () => {
    expect(() => chooseSlots([1], 2)).toThrow(RangeError);
  });

  it('stamps the slots taken with the decision time and the values they must still hold', () => {
    // Prepare: slot 0 expired, slot 1 never taken
    const old = at('2024-05-02T12:00:00Z');
    const now = new Date('2024-05-02T14:00:00Z');
    // Act
    const take = takeSlots([old, undefined], [0, 1], 2, now, () => 0);
    // Assess
    expect(take.at).toBe(now.getTime());
    expect([...take.slots].sort((a, b) => a.index - b.index)).toEqual([
      { index: 0, previous: old },
      { index: 1, previous: undefined },
    ]);
  });
});
