/** One read-back: what was observed and what is wrong with it (empty when verified). */
export interface ReadBack<T> {
  readonly observed: T;
  readonly problems: string[];
}

/**
 * Reads state back until it shows no problem, a few times with a short pause, because EC2 and IAM
 * reads are eventually consistent right after a write. Returns the last read either way; the caller
 * decides that problems mean failure (never success).
 */
export async function readBackUntilVerified<T>(
  read: () => Promise<ReadBack<T>>,
  options: { attempts?: number; delayMs?: number; signal?: AbortSignal } = {},
): Promise<ReadBack<T>> {
  const attempts = options.attempts ?? 3;
  let last = await read();
  for (let attempt = 1; attempt < attempts && last.problems.length > 0; attempt++) {
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 500) * attempt));
    last = await read();
  }
  return last;
}
