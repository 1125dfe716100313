import type { z } from 'zod';
import { InvalidPreStateError } from '../errors.js';

/**
 * Checks a rollback's recorded pre-state against the shape its containment records. A mismatch is
 * not retryable: the step fails naming the field, and nothing is changed.
 */
export function parsePreState<S extends z.ZodType>(schema: S, preState: unknown, action: string): z.infer<S> {
  const parsed = schema.safeParse(preState);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new InvalidPreStateError(
    `${action} got a pre-state it cannot use (${issues}); it must be the preState of the containment step`,
    parsed.error,
  );
}
