import { DeliveryError } from '../errors.js';

/** A request to an HTTP receiver (Slack, PagerDuty, Jira, the webhook). */
export interface HttpRequest {
  readonly method?: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A 2xx answer, its body read as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds from
 * `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether a status is worth another attempt: 408, 425, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * One HTTP attempt with Node's fetch (undici). The signal carries the per-attempt timeout. A non-2xx
 * answer or a network error becomes a {@link DeliveryError} whose message names the channel and the
 * status only: never the URL (Slack's webhook URL is the secret) nor the request body (PagerDuty's
 * routing key travels in it). A short, single-line start of the receiver's answer is kept for
 * diagnosis; callers scrub it of configured secrets before it leaves the process.
 */
export async function sendHttp(
  channel: string,
  request: HttpRequest,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'error',
    });
  } catch (error: unknown) {
    throw new DeliveryError(channel, `${channel}: ${networkProblem(error, signal)}`, {
      retryable: true,
      reason: signal.aborted ? 'timeout' : 'network',
      cause: error,
    });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: response.status, text };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  throw new DeliveryError(channel, `${channel}: HTTP ${response.status}${snippet ? ` (${snippet})` : ''}`, {
    retryable: isRetryableStatus(response.status),
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function networkProblem(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'no answer within the attempt time-out';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return `network error${code ? ` ${code}` : ''}`;
}

/** POSTs a JSON document (one attempt); see {@link sendHttp}. */
export function postJson(
  channel: string,
  url: string,
  document: unknown,
  signal: AbortSignal,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpAnswer> {
  return sendHttp(
    channel,
    { url, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(document) },
    signal,
  );
}
