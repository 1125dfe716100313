import { createHmac, timingSafeEqual } from 'node:crypto';

/** The outcome of {@link verifyJiraSignature}. */
export type JiraVerification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks the signature Jira Cloud puts on an admin webhook registered with a secret:
 * `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>` (the WebSub format). Compared in
 * constant time over the bytes received, before anything in the body is read. Jira signs no
 * timestamp, so replays of a captured request are not refused here; they are harmless because every
 * message the webhook publishes is idempotent (its id comes from Jira's delivery id, and a resolved
 * incident is not resolved again). Reasons never contain the secret or the expected value.
 */
export function verifyJiraSignature(
  secret: string,
  rawBody: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): JiraVerification {
  const header = headers['x-hub-signature'];
  if (typeof header !== 'string') return { ok: false, reason: 'missing X-Hub-Signature' };
  const given = SIGNATURE.exec(header.trim())?.[1];
  if (!given) return { ok: false, reason: 'malformed X-Hub-Signature (expected sha256=<64 hex digits>)' };
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'))
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature does not match the body' };
}
