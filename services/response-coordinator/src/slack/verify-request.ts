import { verifySlackRequest } from '@slack/bolt';

/** Slack's replay window: a request signed longer ago (or further ahead) than this is refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;

/** The outcome of {@link verifySlackSignature}. */
export type SlackVerification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * Checks Slack's v0 request signature (HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
 * secret, compared in constant time, a timestamp at most five minutes old) with @slack/bolt's
 * `verifySlackRequest`, which takes our clock. Two checks are added before it: both headers present
 * and well formed, and a timestamp not more than five minutes ahead (bolt checks only the past).
 * Reasons name what failed, never the secret or the expected signature.
 */
export function verifySlackSignature(
  signingSecret: string,
  rawBody: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  nowMs: number,
): SlackVerification {
  const signature = header(headers['x-slack-signature']);
  const timestamp = header(headers['x-slack-request-timestamp']);
  if (!signature || !timestamp) return { ok: false, reason: 'missing Slack signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed x-slack-request-timestamp' };
  if (Number(timestamp) - Math.floor(nowMs / 1000) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'x-slack-request-timestamp is in the future' };
  }
  try {
    verifySlackRequest({
      signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch (error: unknown) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: text.replace(/^Failed to verify authenticity: /, '') };
  }
}
