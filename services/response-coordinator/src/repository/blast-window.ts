/**
 * The blast-radius limit as a sliding window over a ring of `max` slots. Each automatic containment
 * takes one slot and writes the decision's time into it; a slot is free again once that time is a
 * whole window old. Why a ring and not a counter per fixed window: fixed windows let 2 × max
 * containments through across a boundary (max just before it, max just after). With the ring, at
 * most `max` slots hold a time inside any window of that length, so at most `max` automatic
 * containments fall in it, wherever it starts. Every take is conditional on the slot still holding the
 * value read (see `blast-slots.ts`), which keeps that exact with any number of replicas.
 */

/** The ring as read: index i is `slot{i}`'s time in epoch ms, undefined when never taken. */
export type BlastSlotTimes = readonly (number | undefined)[];

/** One slot a commit takes: its index and the value it must still hold (undefined: absent). */
export interface SlotTake {
  readonly index: number;
  readonly previous: number | undefined;
}

/** The slots a transition takes, all stamped with the decision's time. */
export interface BlastTake {
  /** Epoch ms: the decision's `now`. */
  readonly at: number;
  readonly slots: readonly SlotTake[];
}

/**
 * Indexes of the slots free at `now`: never taken, or taken at least `windowSeconds` ago. Only the
 * first `max` slots count: a lowered maximum ignores the slots beyond it at once, and a raised one
 * adds never-taken (free) slots.
 */
export function freeSlots(slots: BlastSlotTimes, max: number, now: Date, windowSeconds: number): number[] {
  const freeBefore = now.getTime() - windowSeconds * 1000;
  const free: number[] = [];
  for (let index = 0; index < max; index += 1) {
    const takenAt = slots[index];
    if (takenAt === undefined || takenAt <= freeBefore) free.push(index);
  }
  return free;
}

/**
 * `count` of the `free` slots, chosen at random. Why at random: two replicas that read the same free
 * slots at once then rarely pick the same one, and only a pick of the same slot makes one of them
 * decide again.
 */
export function chooseSlots(
  free: readonly number[],
  count: number,
  random: () => number = Math.random,
): number[] {
  if (count > free.length) throw new RangeError(`${count} blast-radius slots wanted, ${free.length} free`);
  const pool = [...free];
  // A partial Fisher-Yates shuffle: the first `count` entries end up a uniform random choice.
  for (let index = 0; index < count; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    const chosen = pool[pick] as number;
    pool[pick] = pool[index] as number;
    pool[index] = chosen;
  }
  return pool.slice(0, count);
}

/** The take for `count` slots among the free ones of `slots`, stamped `now`. */
export function takeSlots(
  slots: BlastSlotTimes,
  free: readonly number[],
  count: number,
  now: Date,
  random: () => number = Math.random,
): BlastTake {
  return {
    at: now.getTime(),
    slots: chooseSlots(free, count, random).map((index) => ({ index, previous: slots[index] })),
  };
}
