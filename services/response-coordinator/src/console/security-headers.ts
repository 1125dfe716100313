/**
 * The Content-Security-Policy of every console response. Why this strict: the console shows what
 * findings carry (titles, resource names, tags: attacker-controlled text), so no inline script or
 * style may run and nothing may load from elsewhere; the only other origins are the identity
 * provider's, which the sign-in posts to and fetches tokens from. `frame-ancestors 'none'` stops
 * clickjacking of the Approve button; `base-uri 'none'` stops a `<base>` from redirecting scripts.
 */
export function contentSecurityPolicy(identityProviderOrigins: readonly string[]): string {
  const idp = [...new Set(identityProviderOrigins)].map((origin) => ` ${origin}`).join('');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${idp}`,
    `form-action 'self'${idp}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The headers of every console response: the policy, no MIME sniffing (a finding's text served as a
 * file never becomes script), no referrer (the sign-in callback's URL holds the authorization code),
 * and a browsing context of its own (an opener cannot reach the signed-in window).
 */
export function securityHeaders(identityProviderOrigins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(identityProviderOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
}
