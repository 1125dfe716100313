import { sendHttp } from '../delivery/http.js';
import { jsonDocument } from '../format/notification.js';
import { signWebhookBody, WebhookHeader } from '../signature.js';
import type { Channel } from './channel.js';

/** Settings of {@link webhookChannel}. */
export interface WebhookSettings {
  /** The receiver's URL; treated as a secret (URLs often carry tokens). */
  readonly url: string;
  /** The HMAC key shared with the receiver. */
  readonly secret: string;
  readonly nowSeconds?: () => number;
}

/**
 * A signed JSON POST to any receiver. Every attempt is signed afresh (a retry after minutes still
 * falls inside the receiver's replay window); `X-IR-Delivery-Id` stays the same across attempts and
 * redeliveries so receivers can drop duplicates.
 */
export function webhookChannel(settings: WebhookSettings): Channel {
  const nowSeconds = settings.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: 'webhook',
    async send(notification, signal) {
      const body = JSON.stringify(jsonDocument(notification));
      const timestamp = nowSeconds();
      const answer = await sendHttp(
        'webhook',
        {
          url: settings.url,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'aws-incident-response-notifier/1',
            [WebhookHeader.timestamp]: String(timestamp),
            [WebhookHeader.signature]: signWebhookBody(settings.secret, timestamp, body),
            [WebhookHeader.deliveryId]: notification.deliveryId,
          },
          body,
        },
        signal,
      );
      return { detail: { status: answer.status } };
    },
  };
}
