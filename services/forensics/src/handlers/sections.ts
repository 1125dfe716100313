import { errorMessage, errorName, isRetryable, isThrottling } from '@ir/runtime';

/** A part of an artifact that could not be read, recorded instead of failing the whole capture. */
export interface SectionGap {
  readonly section: string;
  readonly error: string;
  readonly message: string;
}

/**
 * Reads one section of an artifact. A permanent error (AccessDenied, NoSuchEntity) becomes a recorded
 * gap, so one missing permission does not cost the rest of the evidence; transient errors propagate,
 * so the whole step is retried before anything is written.
 */
export async function readSection<T>(
  section: string,
  gaps: SectionGap[],
  read: () => Promise<T>,
): Promise<T | null> {
  try {
    return await read();
  } catch (error: unknown) {
    if (isThrottling(error) || isRetryable(error)) throw error;
    gaps.push({ section, error: errorName(error), message: errorMessage(error) });
    return null;
  }
}

/** The output of a call, or `fallback` when AWS answers that the thing was never configured. */
export async function unlessAbsent<T, F>(
  call: () => Promise<T>,
  absent: readonly string[],
  fallback: F,
): Promise<T | F> {
  try {
    return await call();
  } catch (error: unknown) {
    if (absent.includes(errorName(error))) return fallback;
    throw error;
  }
}

/** Output of an SDK call without `$metadata`, for storing in an artifact. */
export function withoutMetadata<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _ignored, ...rest } = output as T & { $metadata?: unknown };
  return rest;
}
