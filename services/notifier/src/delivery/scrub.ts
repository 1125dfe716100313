/**
 * Removes every configured secret (and its URL-encoded form) from a text. Why, when no code path puts a
 * secret in an error on purpose: a receiver may echo part of a request, or a library may put a URL in
 * its message, and such text goes into logs and step results. Secrets shorter than 6 characters are
 * not scrubbed (they would redact ordinary words).
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))]
    .filter((needle) => needle.length >= 6)
    .sort((a, b) => b.length - a.length);
  return (text) => needles.reduce((out, needle) => out.split(needle).join('[redacted]'), text);
}
