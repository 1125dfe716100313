import type { Logger } from '@ir/runtime';
import type { Channel, ChannelName } from '../channels/channel.js';
import { ChannelFailedError } from '../errors.js';
import type { Notification } from '../format/notification.js';
import type { NotifierMetrics } from '../metrics.js';
import type { RoutingFile } from '../routing/routes.js';
import { type RetryPolicy, type RetryTools, realRetryTools, withRetries } from './retry.js';

/** What happened on one channel; goes into the step result as is (no secrets, see `scrub`). */
export interface ChannelOutcome {
  readonly channel: ChannelName;
  outcome: 'delivered' | 'failed';
  attempts: number;
  /** This channel was tried because `fallbackFor` failed. */
  fallbackFor?: ChannelName;
  /** This channel failed and `fallbackTo` was tried next. */
  fallbackTo?: ChannelName;
  error?: string;
  detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Everything {@link deliver} needs besides the notification. */
export interface DeliveryDeps {
  readonly channels: ReadonlyMap<ChannelName, Channel>;
  readonly routing: RoutingFile;
  readonly policy: RetryPolicy;
  readonly metrics: NotifierMetrics;
  readonly scrub: (text: string) => string;
  readonly tools?: RetryTools;
}

/** The outcome of one notification across channels. */
export interface DeliveryReport {
  readonly outcomes: readonly ChannelOutcome[];
  /** The Jira key, when Jira created or commented on an issue. */
  readonly ticketKey: string | undefined;
}

/**
 * Delivers a notification to `routed` channels. Jira goes first, so its ticket key appears in every
 * other message; the rest go at once. A channel that fails after its retries hands over to its
 * configured fallback (and that one to its own); a channel is never sent the same notification twice,
 * even when it is both routed and someone's fallback.
 */
export async function deliver(
  notification: Notification,
  routed: readonly ChannelName[],
  deadline: number,
  signal: AbortSignal,
  deps: DeliveryDeps,
  logger: Logger,
): Promise<DeliveryReport> {
  const tools = deps.tools ?? realRetryTools;
  const started = new Map<ChannelName, Promise<ChannelOutcome>>();
  let current = notification;
  let ticketKey: string | undefined;

  async function attempt(name: ChannelName, fallbackFor: ChannelName | undefined): Promise<ChannelOutcome> {
    const channel = deps.channels.get(name);
    const began = tools.now();
    const base = { channel: name, ...(fallbackFor ? { fallbackFor } : {}) };
    try {
      if (!channel) throw new ChannelFailedError(name, `${name}: not configured`, 0, undefined);
      const policy = {
        ...deps.policy,
        maxAttempts: Math.min(deps.policy.maxAttempts, channel.maxAttempts ?? Infinity),
      };
      const message = current;
      const { value, attempts } = await withRetries(
        name,
        (s) => channel.send(message, s),
        policy,
        deadline,
        signal,
        tools,
      );
      if (value.ticketKey) ticketKey = value.ticketKey;
      deps.metrics.notificationsTotal.inc({ channel: name, outcome: 'delivered' });
      logger.info({ channel: name, attempts, fallbackFor }, 'notification_delivered');
      return { ...base, outcome: 'delivered', attempts, detail: value.detail };
    } catch (error: unknown) {
      const attempts = error instanceof ChannelFailedError ? error.attempts : 1;
      const text = deps.scrub(error instanceof Error ? error.message : String(error));
      deps.metrics.notificationsTotal.inc({ channel: name, outcome: 'failed' });
      logger.warn({ channel: name, attempts, fallbackFor, error: text }, 'notification_channel_failed');
      return { ...base, outcome: 'failed', attempts, error: text };
    } finally {
      deps.metrics.notificationDuration.observe({ channel: name }, (tools.now() - began) / 1000);
    }
  }

  function once(name: ChannelName, fallbackFor: ChannelName | undefined): Promise<ChannelOutcome> {
    let promise = started.get(name);
    if (!promise) {
      promise = attempt(name, fallbackFor);
      started.set(name, promise);
    }
    return promise;
  }

  async function withFallback(name: ChannelName): Promise<void> {
    let channel = name;
    let from: ChannelName | undefined;
    for (;;) {
      const outcome = await once(channel, from);
      if (outcome.outcome === 'delivered') return;
      const next = deps.routing.fallbacks[channel];
      if (!next || outcome.fallbackTo) return;
      outcome.fallbackTo = next;
      from = channel;
      channel = next;
    }
  }

  if (routed.includes('jira')) {
    await withFallback('jira');
    if (ticketKey) current = { ...current, ticketKey };
  }
  await Promise.all(routed.filter((name) => name !== 'jira').map((name) => withFallback(name)));
  return { outcomes: await Promise.all(started.values()), ticketKey: ticketKey ?? notification.ticketKey };
}
