import { IrError } from '@ir/runtime';

/**
 * Base of every notifier error. Recognised by `name` (never `instanceof` across packages); the
 * runtime reads `retryable` and `reason`.
 */
export class NotifierError extends IrError {
  override readonly name: string = 'NotifierError';
}

/** The routing file (`IR_NOTIFY_ROUTES`) is unreadable or invalid; stops the service at start. */
export class RoutingConfigError extends NotifierError {
  override readonly name: string = 'RoutingConfigError';
  /** Each problem, prefixed with its path in the file (e.g. `routes[1].channels[0]`). */
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[], cause?: unknown) {
    super(message, { retryable: false, reason: 'routing-config', cause });
    this.problems = problems;
  }
}

/**
 * One attempt to deliver to a channel failed. `retryable` says whether another attempt may pass (5xx,
 * 429, network, timeout); `retryAfterMs` carries the receiver's Retry-After. The message never holds
 * a secret: it names the channel and the status, never the URL or the request.
 */
export class DeliveryError extends NotifierError {
  override readonly name: string = 'DeliveryError';
  readonly channel: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    channel: string,
    message: string,
    options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown; reason?: string },
  ) {
    super(message, {
      retryable: options.retryable,
      reason: options.reason ?? (options.retryable ? 'delivery-transient' : 'delivery-refused'),
      cause: options.cause,
      context: { channel, status: options.status },
    });
    this.channel = channel;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A channel gave up: every attempt failed, the error was permanent, or the time budget ran out. */
export class ChannelFailedError extends NotifierError {
  override readonly name: string = 'ChannelFailedError';
  readonly channel: string;
  readonly attempts: number;
  constructor(channel: string, message: string, attempts: number, cause: unknown) {
    super(message, { retryable: false, reason: 'channel-failed', cause, context: { channel, attempts } });
    this.channel = channel;
    this.attempts = attempts;
  }
}

/** Recognises a {@link DeliveryError} by name, across package copies. */
export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof Error && error.name === 'DeliveryError';
}
