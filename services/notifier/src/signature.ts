import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed webhook delivery (docs/webhook-signature.md). */
export const WebhookHeader = {
  signature: 'x-ir-signature',
  timestamp: 'x-ir-timestamp',
  deliveryId: 'x-ir-delivery-id',
} as const;

/** Deliveries older or newer than this are refused by {@link verifyWebhookSignature}: a replay window. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * `v1=` + hex HMAC-SHA256 of `${timestamp}.${body}` under the shared secret. Why the timestamp is
 * signed: a captured delivery cannot be replayed later with a fresh timestamp.
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Why a delivery was refused, or `ok`. */
export type VerifyOutcome = 'ok' | 'missing-header' | 'bad-timestamp' | 'stale' | 'bad-signature';

/**
 * The receiver's side of the documented procedure: recompute the HMAC over the raw body bytes as
 * received, compare in constant time, and refuse timestamps outside the tolerance.
 */
export function verifyWebhookSignature(options: {
  readonly secret: string;
  readonly body: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly nowSeconds?: number;
  readonly toleranceSeconds?: number;
}): VerifyOutcome {
  const { signature, timestamp } = options;
  if (!signature || !timestamp) return 'missing-header';
  if (!/^\d+$/.test(timestamp)) return 'bad-timestamp';
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return 'stale';
  const expected = Buffer.from(signWebhookBody(options.secret, Number(timestamp), options.body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'bad-signature';
}
