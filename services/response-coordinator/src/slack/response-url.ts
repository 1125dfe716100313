/**
 * True when `url` may receive our POST: it starts with the configured prefix (Slack's
 * `https://hooks.slack.com/`), compared on the parsed URL so that userinfo, a look-alike host or an
 * encoded path cannot pass. Why: the URL comes from the request, and POSTing wherever a request says
 * would let anyone who can reach us make the coordinator call internal addresses (SSRF). The request
 * is also signed, so this is a second wall, not the only one.
 */
export function responseUrlAllowed(url: string, prefix: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.href.startsWith(new URL(prefix).href);
}

/**
 * POSTs a message to Slack's `response_url` (valid 30 minutes, five uses): one retry after a second
 * on a network error or 5xx. Returns whether Slack accepted it; the URL itself is never logged by
 * callers (whoever holds it can post to the conversation).
 */
export async function postToResponseUrl(
  url: string,
  message: Record<string, unknown>,
  timeoutMs = 5_000,
): Promise<boolean> {
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.text().catch(() => '');
      if (response.ok) return true;
      if (response.status < 500) return false;
    } catch {
      // Network error or time-out: retried once.
    }
    if (attempt === 1) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}
