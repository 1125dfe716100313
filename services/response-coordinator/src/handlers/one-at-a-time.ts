/** Runs work one at a time per key, in arrival order; different keys run at once. */
export interface OneAtATime {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with work running or waiting (for tests). */
  readonly busyKeys: number;
}

/**
 * Why per incident: the results of an incident's evidence steps arrive together and were decided at
 * once, so all but one lost the conditional write on the incident's version and read and decided
 * again (a Query and a failed TransactWriteItems each, after a jittered pause). Queued behind each
 * other in this replica, each decides once on the state the previous one left. Other replicas still
 * race, and the version check still settles that.
 */
export function createOneAtATime(): OneAtATime {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(work, work);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get busyKeys() {
      return tails.size;
    },
  };
}
