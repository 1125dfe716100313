import { describe, expect, it } from 'vitest';
import { createOneAtATime } from '../../src/handlers/one-at-a-time.js';

/** A promise the test settles by hand, so the order of events is the test's, not the clock's. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('one decision at a time per incident', () => {
  it('runs work of one key in arrival order, after a failure too, and other keys at once', async () => {
    // Arrange
    const serial = createOneAtATime();
    const events: string[] = [];
    const first = gate();
    const other = gate();
    // Act
    const a1 = serial.run('inc-a', async () => {
      events.push('a1 start');
      await first.opened;
      events.push('a1 end');
      throw new Error('a1 failed');
    });
    const a2 = serial.run('inc-a', async () => {
      events.push('a2 start');
      return 'a2';
    });
    const b1 = serial.run('inc-b', async () => {
      events.push('b1 start');
      await other.opened;
      return 'b1';
    });
    await Promise.resolve();
    const busyWhileWaiting = serial.busyKeys;
    other.open();
    expect(await b1).toBe('b1');
    first.open();
    // Assess
    await expect(a1).rejects.toThrow('a1 failed');
    expect(await a2).toBe('a2');
    expect(events).toEqual(['a1 start', 'b1 start', 'a1 end', 'a2 start']);
    expect(busyWhileWaiting).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(serial.busyKeys).toBe(0);
  });
});
