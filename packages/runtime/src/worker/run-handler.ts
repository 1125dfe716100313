import { RetryableError } from '../errors.js';
import type { HandlerContext, ParsedMessage } from './handler-context.js';

/**
 * Runs a handler for at most `timeoutMs`. On time-out the handler's signal is aborted (the work
 * stops, not just the wait) and a retryable `timeout` error is thrown, so the message is retried.
 */
export async function runHandler<T>(
  handle: (message: ParsedMessage<T>, context: HandlerContext) => Promise<void>,
  parsed: ParsedMessage<T>,
  context: HandlerContext,
  controller: AbortController,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new RetryableError(`handler timed out after ${timeoutMs} ms`));
      reject(new RetryableError(`handler timed out after ${timeoutMs} ms`, { reason: 'timeout' }));
    }, timeoutMs);
  });
  try {
    await Promise.race([handle(parsed, context), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
