import { TestkitError } from '../errors.js';
import type { DemoOperator } from './demo-operators.js';

/** A browser's cookies for one host, enough for the provider's session and interaction cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** A request with the jar's cookies; stores what the answer sets. Redirects are not followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The value of a hidden form input in an HTML page. */
function inputValue(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new TestkitError(`no input ${name} in the provider's page: ${html.slice(0, 300)}`);
  return match[1];
}

/** A POST of an urlencoded form, as a browser submits one. */
export const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

/** Follows redirects (GET, with the jar) from `response` until a page answers; returns its URL and body. */
async function follow(jar: CookieJar, base: string, first: Response): Promise<{ url: string; html: string }> {
  let response = first;
  let url = first.url;
  for (let hops = 0; response.status >= 300 && response.status < 400; hops += 1) {
    if (hops > 10) throw new TestkitError('too many redirects in the device flow');
    const location = response.headers.get('location');
    if (!location) throw new TestkitError(`redirect without location from ${url}`);
    await response.body?.cancel();
    url = new URL(location, base).href;
    response = await jar.fetch(url);
  }
  const html = await response.text();
  if (!response.ok) throw new TestkitError(`the provider answered ${response.status} at ${url}: ${html}`);
  return { url, html };
}

/**
 * The person's half of the device authorization grant (RFC 8628), as at a browser: opens
 * `verificationUri`, enters and confirms `userCode`, and signs in as `operator` on the provider's
 * sign-in page. Afterwards the device's next token request succeeds. Why exported: a test of a
 * device client (`irctl login`) drives its own device half and needs a person to complete it.
 */
export async function approveDeviceCode(
  issuer: string,
  verificationUri: string,
  userCode: string,
  operator: DemoOperator,
): Promise<void> {
  const jar = new CookieJar();
  const page = await follow(jar, issuer, await jar.fetch(verificationUri));
  const xsrf = inputValue(page.html, 'xsrf');
  const confirmed = await jar.fetch(verificationUri, form({ xsrf, user_code: userCode, confirm: 'yes' }));
  const signIn = await follow(jar, issuer, confirmed);
  const action = /<form method="post" action="([^"]+)"/.exec(signIn.html)?.[1];
  if (!action) throw new TestkitError(`no sign-in form at ${signIn.url}: ${signIn.html.slice(0, 300)}`);
  await follow(jar, issuer, await jar.fetch(new URL(action, issuer).href, form({ login: operator.subject })));
}

/**
 * An access token for `operator` through the OAuth 2.0 device authorization grant (RFC 8628), driven
 * as irctl and a person at a browser would: the device authorization request, the verification page
 * (its XSRF token and the user code), the confirmation, the sign-in page, then the token request.
 */
export async function deviceCodeToken(
  issuer: string,
  clientId: string,
  operator: DemoOperator,
  resource: string | undefined,
): Promise<string> {
  const resourceField: Record<string, string> = resource ? { resource } : {};
  // The device: ask for a code.
  const authorization = await fetch(
    `${issuer}/device/auth`,
    form({ client_id: clientId, scope: 'openid ir:operator', ...resourceField }),
  );
  const device = (await authorization.json()) as {
    device_code?: string;
    user_code?: string;
    verification_uri?: string;
  };
  if (!device.device_code || !device.user_code || !device.verification_uri) {
    throw new TestkitError(`device authorization refused: ${JSON.stringify(device)}`);
  }
  // The person: open the verification page, enter and confirm the code, sign in.
  await approveDeviceCode(issuer, device.verification_uri, device.user_code, operator);
  // The device again: the code is now approved.
  const token = await fetch(
    `${issuer}/token`,
    form({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: clientId,
      ...resourceField,
    }),
  );
  const body = (await token.json()) as { access_token?: string };
  if (!token.ok || !body.access_token) {
    throw new TestkitError(`device code token refused: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}
