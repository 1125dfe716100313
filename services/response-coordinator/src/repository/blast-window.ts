/**
 * The fixed blast-radius window that `now` falls in, as ISO text (the counter's key) and the time the
 * counter may expire. Why fixed windows: every replica computes the same key without talking to the
 * others, and one conditional counter per window is exact.
 */
export function blastWindow(now: Date, windowSeconds: number): { start: string; expiresAt: number } {
  const windowMs = windowSeconds * 1000;
  const startMs = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    start: new Date(startMs).toISOString(),
    expiresAt: Math.floor(startMs / 1000) + 2 * windowSeconds,
  };
}
