import type { Notification } from '../format/notification.js';

/** The closed set of channels the notifier speaks; routing files name them. */
export const ChannelName = ['slack', 'pagerduty', 'email', 'sns', 'webhook', 'securityhub', 'jira'] as const;
/** @see ChannelName */
export type ChannelName = (typeof ChannelName)[number];

/** What a channel reports after a delivery; only non-secret, bounded facts (keys, ids, statuses). */
export interface ChannelReceipt {
  /** Facts for the step result (`status`, `messageId`, `eventAction`, ...). */
  readonly detail: Readonly<Record<string, string | number | boolean>>;
  /** The Jira issue key, when the channel created or commented on one. */
  readonly ticketKey?: string;
}

/** One destination. `send` makes one attempt; the delivery loop retries it. */
export interface Channel {
  readonly name: ChannelName;
  /**
   * Attempts the delivery loop makes. Why 1 for AWS channels: the SDK already retries throttles and
   * 5xx with adaptive back-off, and retrying on top multiplies the attempts.
   */
  readonly maxAttempts?: number;
  send(notification: Notification, signal: AbortSignal): Promise<ChannelReceipt>;
}
